using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Cxdi.Host.Execution;
using Cxdi.Host.Workflows;

namespace Cxdi.Host.Cli;

/// <summary>
/// <c>cxdi submit FLOW --scheduler slurm</c>: splits the random starts of the workflow's <c>cxdi.phase</c> step over one
/// SLURM job array (each task runs its slice of runs with the seeds a local run gives them and saves each run exactly)
/// and a merge job (<c>--dependency=afterok</c>) that selects, aligns and averages as a local run does;
/// <c>cxdi status DIR</c>; <c>cxdi submit --resume DIR</c>. Everything is written into the <c>--out</c> folder.
/// </summary>
public static partial class SubmitCommand
{
    /// <summary>Exit code of <c>cxdi status</c> while jobs are still pending or running.</summary>
    public const int InProgressExitCode = 3;

    /// <summary>The constant batch script of an array task: it runs its arguments (the cxdi command) with the task index appended. No path or value of the workflow is ever written into it.</summary>
    public const string TaskScript = "#!/bin/sh\n# Written by cxdi submit: one array task. Its arguments are the cxdi command (passed by sbatch as separate arguments);\n# the task index comes from SLURM.\nexec \"$@\" \"$SLURM_ARRAY_TASK_ID\"\n";

    /// <summary>The constant batch script of the merge job: it runs its arguments.</summary>
    public const string MergeScript = "#!/bin/sh\n# Written by cxdi submit: the merge job. Its arguments are the cxdi command (passed by sbatch as separate arguments).\nexec \"$@\"\n";

    /// <summary>Adds <c>submit</c>, <c>status</c> and the hidden job commands to <paramref name="root"/>.</summary>
    public static void Add(RootCommand root, CommandContext ctx, Option<string[]> pluginsOption, Option<string[]> setOption, Option<string?> backendOption)
    {
        var flow = new Argument<string?>("FLOW") { Description = "Workflow file (.yaml); none with --resume", Arity = ArgumentArity.ZeroOrOne };
        var scheduler = new Option<string>("--scheduler") { Description = "Scheduler to submit to (slurm)", HelpName = "NAME", DefaultValueFactory = _ => "slurm" };
        var tasks = new Option<int?>("--tasks") { Description = "Array tasks (default: runs / runs-per-task)", HelpName = "N" };
        var perTask = new Option<int?>("--runs-per-task") { Description = "Random starts per array task (default: runs / tasks, else 1)", HelpName = "N" };
        var partition = new Option<string?>("--partition") { Description = "sbatch --partition", HelpName = "NAME" };
        var time = new Option<string?>("--time") { Description = "sbatch --time, per job (e.g. 30, 2:00:00)", HelpName = "LIMIT" };
        var account = new Option<string?>("--account") { Description = "sbatch --account", HelpName = "NAME" };
        var extra = new Option<string[]>("--sbatch-arg") { Description = "One more sbatch argument, passed as it is (e.g. --sbatch-arg=--qos=short); repeatable", HelpName = "ARG", AllowMultipleArgumentsPerToken = false };
        var outOption = new Option<string?>("--out") { Description = "Submission folder: workflow, batch scripts, logs, task results and the merged result (default: output.directory of the workflow)", HelpName = "DIR" };
        var resume = new Option<string?>("--resume") { Description = "Resubmit the failed or missing tasks of the submission in DIR, and a new merge", HelpName = "DIR" };
        var cxdi = new Option<string?>("--cxdi") { Description = "The cxdi executable (or cxdi.dll) the jobs run (default: this one)", HelpName = "PATH", Hidden = true };
        var submit = new Command("submit", "Submit a workflow to a cluster scheduler: one job array over the random starts of cxdi.phase, then a merge job")
        {
            flow, scheduler, tasks, perTask, partition, time, account, extra, outOption, resume, setOption, backendOption, cxdi,
        };
        submit.SetAction((parse, token) => Commands.Guard(ctx, () =>
        {
            if (!string.Equals(parse.GetValue(scheduler), "slurm", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--scheduler {parse.GetValue(scheduler)}: unknown scheduler", "the supported scheduler is slurm");
            }

            var settings = new SubmitSettings(parse.GetValue(tasks), parse.GetValue(perTask), parse.GetValue(partition), parse.GetValue(time), parse.GetValue(account), parse.GetValue(extra) ?? []);
            if (parse.GetValue(resume) is { } resumeDir)
            {
                if (parse.GetValue(flow) is not null)
                {
                    throw new UsageException("--resume DIR takes no FLOW: the submission folder holds its workflow");
                }

                return Task.FromResult(Resume(ctx, Full(ctx, resumeDir), settings));
            }

            var file = parse.GetValue(flow) ?? throw new UsageException("cxdi submit needs FLOW (or --resume DIR)");
            var command = SelfCommand(parse.GetValue(cxdi) is { } c ? Full(ctx, c) : null, parse.GetValue(pluginsOption) ?? [], ctx);
            return Task.FromResult(Submit(ctx, file, parse.GetValue(setOption) ?? [], parse.GetValue(outOption), parse.GetValue(backendOption), settings, command, token));
        }));
        root.Subcommands.Add(submit);

        var dirArgument = new Argument<string>("DIR") { Description = "Submission folder (the --out of cxdi submit)" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text" };
        var status = new Command("status", "Show the tasks of a submission (from squeue/scontrol and the files present), the runs finished and the merge; exit 0 done, 1 to resume, 3 in progress")
        {
            dirArgument, json,
        };
        status.SetAction((parse, token) => Commands.Guard(ctx, () => Task.FromResult(Status(ctx, Full(ctx, parse.GetValue(dirArgument)!), parse.GetValue(json)))));
        root.Subcommands.Add(status);

        var taskArgument = new Argument<int>("TASK") { Description = "Array task index" };
        var task = new Command("slurm-task", "Run one array task of a submission (called by the batch script)") { dirArgument, taskArgument };
        task.Hidden = true;
        task.SetAction((parse, token) => Commands.Guard(ctx, () => RunJob(ctx, Full(ctx, parse.GetValue(dirArgument)!), parse.GetValue(taskArgument), token)));
        root.Subcommands.Add(task);

        var merge = new Command("slurm-merge", "Merge the runs of a submission (called by the merge job)") { dirArgument };
        merge.Hidden = true;
        merge.SetAction((parse, token) => Commands.Guard(ctx, () => RunJob(ctx, Full(ctx, parse.GetValue(dirArgument)!), null, token)));
        root.Subcommands.Add(merge);
    }

    /// <summary>Tasks and runs per task for <paramref name="runs"/> runs: both given must cover the runs with no empty task.</summary>
    public static (int Tasks, int PerTask) Layout(int runs, int? tasks, int? perTask)
    {
        if (tasks is < 1)
        {
            throw new UsageException($"--tasks {tasks}: must be at least 1");
        }

        if (perTask is < 1)
        {
            throw new UsageException($"--runs-per-task {perTask}: must be at least 1");
        }

        var k = perTask ?? (tasks is { } t ? (runs + t - 1) / t : 1);
        var n = (runs + k - 1) / k;
        if (tasks is { } wanted && wanted != n)
        {
            throw new UsageException(
                $"--tasks {wanted}{(perTask is null ? "" : $" --runs-per-task {perTask}")}: {runs} runs make {n} task(s) of {k} run(s)",
                wanted * k < runs ? "raise --tasks or --runs-per-task, or lower runs (--set steps.N.with.runs=…)" : "lower --tasks, or raise runs");
        }

        return (n, k);
    }

    private static int Submit(CommandContext ctx, string flow, string[] sets, string? outDir, string? backend, SubmitSettings settings, List<string> command, CancellationToken token)
    {
        Commands.CheckBackend(ctx, backend);
        var client = Client(ctx);
        client.Require("sbatch");
        var plan = Commands.Planner(ctx).Plan(new PlanRequest(flow, sets, null, ctx.Environment.CurrentDirectory));
        var stepIndex = PhaseStep(plan, flow);
        var resolved = plan.Steps[stepIndex].Options.Resolved;
        var runs = Convert.ToInt32(resolved["runs"], CultureInfo.InvariantCulture);
        var (taskCount, perTask) = Layout(runs, settings.Tasks, settings.PerTask);
        var dir = outDir is null ? plan.OutputDirectory : Path.GetFullPath(Path.Combine(ctx.Environment.CurrentDirectory, outDir));
        if (File.Exists(Path.Combine(dir, SubmitRecord.FileName)))
        {
            throw new UsageException($"{dir} already holds a submission ({SubmitRecord.FileName})", $"see cxdi status {dir}, resubmit what failed with cxdi submit --resume {dir}, or choose another --out");
        }

        if (File.Exists(dir) || OutputFolder.EarlierResults(dir) is { Count: > 0 })
        {
            throw new UsageException($"--out {dir}: {(File.Exists(dir) ? "is a file" : "holds the results of an earlier run")}", "choose another --out folder");
        }

        token.ThrowIfCancellationRequested();
        var record = new SubmitRecord
        {
            Name = plan.Document.Name,
            Source = plan.Document.File,
            Sets = [.. sets],
            StepIndex = stepIndex,
            Runs = runs,
            Keep = Convert.ToInt32(resolved["keep"], CultureInfo.InvariantCulture),
            RunsPerTask = perTask,
            Command = command,
            Backend = backend,
            Partition = settings.Partition,
            Time = settings.Time,
            Account = settings.Account,
            SbatchArgs = [.. settings.Extra],
            Tasks = SubmitRecord.Split(runs, perTask),
        };
        Directory.CreateDirectory(Path.Combine(dir, "slurm"));
        AtomicFile.WriteAllText(Path.Combine(dir, SubmitRecord.WorkflowName), plan.ResolvedYaml);
        AtomicFile.WriteAllText(Path.Combine(dir, "slurm", "task.sh"), TaskScript);
        AtomicFile.WriteAllText(Path.Combine(dir, "slurm", "merge.sh"), MergeScript);

        // The jobs plan the written workflow with their slice: check that now, not on the cluster.
        Commands.Planner(ctx).Plan(new PlanRequest(Path.Combine(dir, SubmitRecord.WorkflowName), JobSets(record, dir, record.Tasks[0]), SubmitRecord.TaskDirectory(dir, 0), dir));
        SubmitJobs(ctx, client, record, dir, [.. record.Tasks.Select(t => t.Task)], mergeOnly: false);
        ctx.Out.WriteLine($"cxdi status {dir}    # follow it; cxdi submit --resume {dir} redoes failed tasks");
        return 0;
    }

    private static int Resume(CommandContext ctx, string dir, SubmitSettings settings)
    {
        var record = SubmitRecord.Load(dir);
        if (settings.Tasks is not null || settings.PerTask is not null)
        {
            throw new UsageException("--resume keeps the tasks of the submission: drop --tasks and --runs-per-task");
        }

        record.Partition = settings.Partition ?? record.Partition;
        record.Time = settings.Time ?? record.Time;
        record.Account = settings.Account ?? record.Account;
        if (settings.Extra.Count > 0)
        {
            record.SbatchArgs = [.. settings.Extra];
        }

        var client = Client(ctx);
        client.Require("sbatch");
        var report = Inspect(client, record, dir);
        if (report.Active.Count > 0)
        {
            throw new SchedulerException($"{dir}: job(s) {string.Join(", ", report.Active)} still pending or running", $"wait (cxdi status {dir}), or scancel them first");
        }

        var redo = report.Tasks.Where(t => !t.Done).Select(t => t.Task.Task).ToList();
        if (redo.Count == 0 && report.MergeStatus == "succeeded")
        {
            ctx.Out.WriteLine($"{dir}: nothing to resume: all {record.Runs} runs are saved and merged");
            return 0;
        }

        SubmitJobs(ctx, client, record, dir, redo, mergeOnly: redo.Count == 0);
        return 0;
    }

    /// <summary>Submits the array of <paramref name="taskIndices"/> (unless empty) and a merge after it, then saves the record.</summary>
    private static void SubmitJobs(CommandContext ctx, SlurmClient client, SubmitRecord record, string dir, IReadOnlyList<int> taskIndices, bool mergeOnly)
    {
        var jobName = "cxdi-" + SafeName().Replace(record.Name, "_");
        var logs = Path.Combine(dir, "slurm");
        string? arrayJob = null;
        if (!mergeOnly)
        {
            var array = new SbatchRequest(jobName, dir, Path.Combine(logs, "task_%a_%A.log"), record.Partition, record.Time, record.Account, record.SbatchArgs) { ArrayIndices = taskIndices };
            arrayJob = client.Submit(array, Path.Combine(logs, "task.sh"), [.. record.Command, "slurm-task", dir]);
        }

        var merge = new SbatchRequest(jobName + "-merge", dir, Path.Combine(logs, "merge_%j.log"), record.Partition, record.Time, record.Account, record.SbatchArgs) { AfterOk = arrayJob is null ? [] : [arrayJob] };
        string mergeJob;
        try
        {
            mergeJob = client.Submit(merge, Path.Combine(logs, "merge.sh"), [.. record.Command, "slurm-merge", dir]);
        }
        catch (SchedulerException)
        {
            // A job array without its merge would leave a half submission: take it back.
            client.Cancel(arrayJob is null ? [] : [arrayJob]);
            throw;
        }

        foreach (var t in record.Tasks.Where(t => taskIndices.Contains(t.Task) && !mergeOnly))
        {
            t.Job = arrayJob;
            t.Attempts++;
        }

        record.MergeJob = mergeJob;
        record.Submissions.Add(new SubmitHistory { Time = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), ArrayJob = arrayJob, Tasks = mergeOnly ? [] : [.. taskIndices], MergeJob = mergeJob });
        record.Save(dir);
        var what = arrayJob is null
            ? "no task to redo"
            : $"job array {arrayJob} ({taskIndices.Count} task(s) of {record.RunsPerTask} run(s): {SbatchRequest.ArrayRange(taskIndices)})";
        ctx.Out.WriteLine($"{record.Name}: submitted {what} and merge job {mergeJob}{(arrayJob is null ? "" : $" (afterok:{arrayJob})")}; record in {Path.Combine(dir, SubmitRecord.FileName)}");
    }

    /// <summary>Runs one array task (<paramref name="task"/>) or the merge (null) of the submission in <paramref name="dir"/>, as <c>cxdi run</c> would.</summary>
    private static async Task<int> RunJob(CommandContext ctx, string dir, int? task, CancellationToken token)
    {
        var record = SubmitRecord.Load(dir);
        SubmitTask? slice = null;
        if (task is { } t)
        {
            slice = record.Tasks.FirstOrDefault(x => x.Task == t) ?? throw new UsageException($"{dir}: the submission has no task {t} (tasks 0-{record.Tasks.Count - 1})");
        }

        var outDir = slice is null ? dir : SubmitRecord.TaskDirectory(dir, slice.Task);
        var plan = Commands.Planner(ctx).Plan(new PlanRequest(Path.Combine(dir, SubmitRecord.WorkflowName), JobSets(record, dir, slice), outDir, dir));
        var runner = new WorkflowRunner(ctx.RunEnvironment(record.Backend) with { Overwrite = true });
        var outcome = await Task.Run(() => runner.Run(plan, RunMode.Full, token), CancellationToken.None).ConfigureAwait(false);
        return outcome.ExitCode;
    }

    /// <summary>The <c>--set</c> values of a job: the task's slice and where runs are saved, or the merge.</summary>
    private static string[] JobSets(SubmitRecord record, string dir, SubmitTask? task)
    {
        var prefix = $"steps.{record.StepIndex}.with.";
        var runsDir = $"{prefix}runs_dir={Path.Combine(dir, "runs")}";
        return task is null
            ? [$"{prefix}merge_only=true", runsDir]
            : [$"{prefix}runs_slice={task.First}-{task.Last}", runsDir];
    }

    private static int Status(CommandContext ctx, string dir, bool json)
    {
        var record = SubmitRecord.Load(dir);
        var report = Inspect(Client(ctx), record, dir);
        foreach (var warning in report.Warnings)
        {
            ctx.Error.WriteLine($"cxdi: warning: {warning}; states from the files only");
        }

        var saved = report.Tasks.Sum(t => t.Saved);
        var overall = report.Active.Count > 0 ? "in progress" : report.MergeStatus == "succeeded" && report.Tasks.All(t => t.Done) ? "done" : "incomplete";
        var kept = SubmitRecord.KeptRuns(SubmitRecord.SummaryOf(dir));
        if (json)
        {
            var doc = new Dictionary<string, object?>
            {
                ["folder"] = dir,
                ["state"] = overall,
                ["runs"] = record.Runs,
                ["runs_saved"] = saved,
                ["tasks"] = report.Tasks.Select(t => new Dictionary<string, object?>
                {
                    ["task"] = t.Task.Task,
                    ["runs"] = $"{t.Task.First}-{t.Task.Last}",
                    ["job"] = t.Task.Job is null ? null : $"{t.Task.Job}_{t.Task.Task}",
                    ["state"] = t.State,
                    ["exit_code"] = t.ExitCode,
                    ["runs_saved"] = t.Saved,
                    ["done"] = t.Done,
                }).ToList(),
                ["merge"] = new Dictionary<string, object?> { ["job"] = record.MergeJob, ["state"] = report.MergeState, ["summary"] = report.MergeStatus, ["kept"] = kept },
            };
            ctx.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(doc, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            ctx.Out.WriteLine($"{record.Name}: {record.Runs} runs in {record.Tasks.Count} task(s) of {record.RunsPerTask}; {dir}");
            ctx.Out.WriteLine($"{"task",-5} {"runs",-7} {"job",-12} {"state",-26} saved");
            foreach (var t in report.Tasks)
            {
                var job = t.Task.Job is null ? "-" : $"{t.Task.Job}_{t.Task.Task}";
                var state = t.ExitCode is { Length: > 0 } code && t.State is not ("COMPLETED" or "PENDING" or "RUNNING") ? $"{t.State} (exit {code})" : t.State;
                ctx.Out.WriteLine($"{t.Task.Task,-5} {$"{t.Task.First}-{t.Task.Last}",-7} {job,-12} {state,-26} {t.Saved}/{t.Task.Last - t.Task.First + 1}");
            }

            var summary = report.MergeStatus is null ? "no summary.json yet" : $"summary.json: {report.MergeStatus}{(kept is null ? "" : $", kept runs {string.Join(' ', kept)}")}";
            ctx.Out.WriteLine($"{"merge",-5} {"",-7} {record.MergeJob ?? "-",-12} {report.MergeState,-26} {summary}");
            var next = overall switch
            {
                "done" => $"result in {dir}",
                "in progress" => "wait, then cxdi status again",
                _ => $"cxdi submit --resume {dir} resubmits {report.Tasks.Count(t => !t.Done)} task(s) and the merge",
            };
            ctx.Out.WriteLine($"{overall}: {saved} of {record.Runs} runs saved; {next}");
        }

        return overall switch { "done" => 0, "in progress" => InProgressExitCode, _ => 1 };
    }

    /// <summary>Task and merge states from the scheduler (scontrol) and the files present.</summary>
    private static StatusReport Inspect(SlurmClient client, SubmitRecord record, string dir)
    {
        var warnings = new List<string>();
        var cache = new Dictionary<string, IReadOnlyList<SlurmJobState>?>(StringComparer.Ordinal);
        IReadOnlyList<SlurmJobState>? Query(string job)
        {
            if (!cache.TryGetValue(job, out var states))
            {
                try
                {
                    states = client.Query(job);
                }
                catch (SchedulerException e)
                {
                    // The controller does not answer: report from the files alone, and say so.
                    warnings.Add(e.Message);
                    states = null;
                }

                cache[job] = states;
            }

            return states;
        }

        var active = new List<string>();
        var tasks = new List<TaskStatus>();
        foreach (var t in record.Tasks)
        {
            var saved = t.RunIndices.Count(i => File.Exists(SubmitRecord.RunFile(dir, i)));
            var done = saved == t.Last - t.First + 1;
            var scheduler = t.Job is null ? null : Query(t.Job)?.FirstOrDefault(s => s.TaskId == t.Task);
            string state;
            if (scheduler is not null)
            {
                state = scheduler.State;
                if (scheduler.IsActive)
                {
                    active.Add($"{t.Job}_{t.Task}");
                    done = false;
                }
            }
            else
            {
                var summary = SubmitRecord.SummaryStatus(SubmitRecord.SummaryOf(SubmitRecord.TaskDirectory(dir, t.Task)));
                state = done ? "COMPLETED (files)" : summary is { } s ? $"{s.ToUpperInvariant()} (files)" : t.Job is null ? "NOT SUBMITTED" : "MISSING";
            }

            tasks.Add(new TaskStatus(t, state, scheduler?.ExitCode, saved, done));
        }

        var mergeState = "NOT SUBMITTED";
        if (record.MergeJob is { } mergeJob)
        {
            var merge = Query(mergeJob)?.FirstOrDefault();
            mergeState = merge is null ? (warnings.Count > 0 ? "UNKNOWN" : "GONE") : merge.Reason is { Length: > 0 } reason && reason != "None" ? $"{merge.State} ({reason})" : merge.State;
            if (merge?.IsActive == true)
            {
                active.Add(mergeJob);
            }
        }

        var summaryPath = SubmitRecord.SummaryOf(dir);
        var mergeStatus = SubmitRecord.SummaryStatus(summaryPath);
        return new StatusReport(tasks, mergeState, mergeStatus, active, warnings.Distinct().ToList());
    }

    /// <summary>The command the jobs run: the cxdi apphost, or dotnet and cxdi.dll; then the plugin folders given to submit.</summary>
    private static List<string> SelfCommand(string? explicitPath, string[] plugins, CommandContext ctx)
    {
        var command = new List<string>();
        var dll = typeof(Cli).Assembly.Location;
        var process = Environment.ProcessPath;
        if (explicitPath is not null)
        {
            if (!File.Exists(explicitPath))
            {
                throw new UsageException($"--cxdi {explicitPath}: no such file");
            }

            command.AddRange(explicitPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? [Dotnet(process, ctx), explicitPath] : [explicitPath]);
        }
        else if (process is not null && Path.GetFileNameWithoutExtension(process) == "cxdi")
        {
            command.Add(process);
        }
        else if (dll.Length > 0 && Path.GetDirectoryName(dll) is { } folder && File.Exists(Path.Combine(folder, "cxdi")) && Directory.Exists(Path.Combine(folder, "plugins")))
        {
            command.Add(Path.Combine(folder, "cxdi"));
        }
        else
        {
            command.AddRange([Dotnet(process, ctx), dll]);
        }

        foreach (var p in plugins)
        {
            command.AddRange(["--plugins", Full(ctx, p)]);
        }

        return command;
    }

    private static string Dotnet(string? process, CommandContext ctx) =>
        process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Client(ctx).Which("dotnet") ?? "dotnet";

    private static int PhaseStep(WorkflowPlan plan, string flow)
    {
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            if (plan.Steps[i].Descriptor.Id == "cxdi.phase")
            {
                var resolved = plan.Steps[i].Options.Resolved;
                if (!resolved.ContainsKey("runs_slice") || !resolved.ContainsKey("merge_only"))
                {
                    throw new UsageException($"{flow}: the loaded cxdi.phase {plan.Steps[i].Descriptor.Version} cannot split its runs (no runs_slice option)");
                }

                if (resolved["runs_slice"] is string { Length: > 0 } || resolved["merge_only"] is true)
                {
                    throw new UsageException($"{flow}: step {plan.Steps[i].StepId} sets runs_slice or merge_only; cxdi submit sets them for each job");
                }

                return i;
            }
        }

        throw new UsageException($"{flow}: no cxdi.phase step; cxdi submit splits the random starts of cxdi.phase over array tasks");
    }

    private static SlurmClient Client(CommandContext ctx) => new(ctx.Environment.Variable("PATH"));

    private static string Full(CommandContext ctx, string path) => Path.GetFullPath(Path.Combine(ctx.Environment.CurrentDirectory, path));

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex SafeName();

    private sealed record SubmitSettings(int? Tasks, int? PerTask, string? Partition, string? Time, string? Account, IReadOnlyList<string> Extra);

    private sealed record TaskStatus(SubmitTask Task, string State, string? ExitCode, int Saved, bool Done);

    private sealed record StatusReport(IReadOnlyList<TaskStatus> Tasks, string MergeState, string? MergeStatus, IReadOnlyList<string> Active, IReadOnlyList<string> Warnings);
}
