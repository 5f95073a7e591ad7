using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Cxdi.Sdk.Errors;

namespace Cxdi.Host.Cli;

/// <summary>A scheduler command failed, is missing, or answered something unexpected; exit code 2 when it is missing, 1 otherwise.</summary>
public sealed class SchedulerException(string message, string? hint = null, bool missing = false) : CxdiException(message, hint)
{
    /// <inheritdoc />
    public override bool IsInputError => missing;
}

/// <summary>What <c>sbatch</c> is asked for, besides the script: one job array or one merge job.</summary>
/// <param name="JobName">Job name.</param>
/// <param name="WorkingDirectory">Where the job runs (<c>--chdir</c>).</param>
/// <param name="LogPattern">Output file pattern (<c>%A</c>, <c>%a</c>, <c>%j</c> as SLURM expands them).</param>
/// <param name="Partition">Partition, or null for the cluster's default.</param>
/// <param name="Time">Time limit as SLURM reads it (<c>30</c>, <c>1:00:00</c>, <c>1-00:00:00</c>), or null.</param>
/// <param name="Account">Account to charge, or null.</param>
/// <param name="Extra">More sbatch arguments, each passed as one argument.</param>
public sealed record SbatchRequest(string JobName, string WorkingDirectory, string LogPattern, string? Partition, string? Time, string? Account, IReadOnlyList<string> Extra)
{
    /// <summary>Array indices (<c>--array</c>), or null for a plain job.</summary>
    public IReadOnlyList<int>? ArrayIndices { get; init; }

    /// <summary>Job ids that must end successfully first (<c>--dependency=afterok:…</c>).</summary>
    public IReadOnlyList<string> AfterOk { get; init; } = [];

    /// <summary>The argument list of <c>sbatch</c>: options, then the script, then its arguments; never joined into a shell line.</summary>
    public IReadOnlyList<string> Arguments(string script, IReadOnlyList<string> scriptArguments)
    {
        var args = new List<string> { "--parsable", $"--job-name={JobName}", $"--chdir={WorkingDirectory}", $"--output={LogPattern}" };
        if (ArrayIndices is { Count: > 0 } indices)
        {
            args.Add($"--array={ArrayRange(indices)}");
        }

        if (AfterOk.Count > 0)
        {
            args.Add($"--dependency=afterok:{string.Join(':', AfterOk)}");
        }

        if (Partition is { Length: > 0 })
        {
            args.Add($"--partition={Partition}");
        }

        if (Time is { Length: > 0 })
        {
            args.Add($"--time={Time}");
        }

        if (Account is { Length: > 0 })
        {
            args.Add($"--account={Account}");
        }

        args.AddRange(Extra);
        args.Add(script);
        args.AddRange(scriptArguments);
        return args;
    }

    /// <summary><c>0-3</c>, <c>1,3</c>, <c>0-2,5</c>: indices as SLURM's <c>--array</c> reads them.</summary>
    public static string ArrayRange(IEnumerable<int> indices)
    {
        var sorted = indices.Distinct().Order().ToList();
        var parts = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            parts.Add(i == j ? sorted[i].ToString(CultureInfo.InvariantCulture) : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }

        return string.Join(',', parts);
    }
}

/// <summary>The state SLURM reports for one job or array task.</summary>
/// <param name="JobId">The job id (<c>123</c>) of a plain job or of the array.</param>
/// <param name="TaskId">Array task index, or null for a plain job.</param>
/// <param name="State">JobState: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT…</param>
/// <param name="Reason">Reason field (<c>DependencyNeverSatisfied</c>, <c>NonZeroExitCode</c>, <c>None</c>).</param>
/// <param name="ExitCode">Exit code and signal, e.g. <c>2:0</c>.</param>
public sealed record SlurmJobState(string JobId, int? TaskId, string State, string Reason, string ExitCode)
{
    /// <summary>True while the job may still run: pending, configuring, running, completing, suspended, requeued.</summary>
    public bool IsActive => State is "PENDING" or "CONFIGURING" or "RUNNING" or "COMPLETING" or "SUSPENDED" or "REQUEUED" or "REQUEUE_HOLD" or "RESIZING" or "STAGE_OUT";
}

/// <summary>
/// Runs <c>sbatch</c>, <c>scontrol</c> and <c>scancel</c> as processes with argument lists (no shell), each found on the
/// PATH; turns a refusal into a one-line <see cref="SchedulerException"/> carrying the tool's own error line.
/// </summary>
public sealed partial class SlurmClient(string? path)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The full path of <paramref name="tool"/> on the PATH this client searches, or null.</summary>
    public string? Which(string tool)
    {
        foreach (var dir in (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Throws (exit 2) when <paramref name="tool"/> is not on the PATH.</summary>
    public string Require(string tool) =>
        Which(tool) ?? throw new SchedulerException($"{tool} not found on PATH: SLURM is not installed on this machine", "submit from a SLURM login node, or load SLURM first (module load slurm)", missing: true);

    /// <summary>Submits with <c>sbatch --parsable</c> and returns the job id; a refusal throws with sbatch's error line.</summary>
    public string Submit(SbatchRequest request, string script, IReadOnlyList<string> scriptArguments)
    {
        var result = Run(Require("sbatch"), request.Arguments(script, scriptArguments));
        var line = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        var id = line.Split(';')[0];
        if (result.ExitCode != 0 || !JobIdPattern().IsMatch(id))
        {
            throw new SchedulerException($"sbatch refused the {(request.ArrayIndices is null ? "job" : "job array")} (exit {result.ExitCode}): {ErrorLine(result)}", "check --partition, --time, --account and the extra sbatch arguments");
        }

        return id;
    }

    /// <summary>Cancels jobs (<c>scancel</c>); failures are ignored, the job may be over already.</summary>
    public void Cancel(IEnumerable<string> jobIds)
    {
        var ids = jobIds.ToList();
        if (ids.Count > 0 && Which("scancel") is { } scancel)
        {
            Run(scancel, ids);
        }
    }

    /// <summary>What <c>scontrol -o show job ID</c> says of a job and of each of its array tasks; empty when SLURM no longer knows it; null when scontrol is missing.</summary>
    public IReadOnlyList<SlurmJobState>? Query(string jobId)
    {
        if (Which("scontrol") is not { } scontrol)
        {
            return null;
        }

        var result = Run(scontrol, ["-o", "show", "job", jobId]);
        if (result.ExitCode != 0)
        {
            // "slurm_load_jobs error: Invalid job id specified": finished and purged (MinJobAge), or never existed.
            return result.Error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase) ? [] : throw new SchedulerException($"scontrol show job {jobId} failed (exit {result.ExitCode}): {ErrorLine(result)}");
        }

        return ParseShowJob(result.Out);
    }

    /// <summary>Parses <c>scontrol -o show job</c> output: one line per job or array task; a pending array's range (<c>ArrayTaskId=0-3%2</c>) becomes one entry per task.</summary>
    public static IReadOnlyList<SlurmJobState> ParseShowJob(string text)
    {
        var states = new List<SlurmJobState>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string? Field(string key)
            {
                var m = Regex.Match(line, $@"(?:^|\s){key}=(\S*)");
                return m.Success ? m.Groups[1].Value : null;
            }

            var state = Field("JobState");
            if (state is null)
            {
                continue;
            }

            var jobId = Field("ArrayJobId") ?? Field("JobId") ?? "";
            var reason = Field("Reason") ?? "";
            var exit = Field("ExitCode") ?? "";
            if (Field("ArrayTaskId") is { } tasks)
            {
                foreach (var task in ExpandRange(tasks))
                {
                    states.Add(new SlurmJobState(jobId, task, state, reason, exit));
                }
            }
            else
            {
                states.Add(new SlurmJobState(jobId, null, state, reason, exit));
            }
        }

        return states;
    }

    /// <summary>Expands <c>0-3</c>, <c>1,3,5-6</c>, <c>0-9%2</c> into indices.</summary>
    public static IEnumerable<int> ExpandRange(string text)
    {
        var body = text.Split('%')[0];
        foreach (var part in body.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split(':')[0].Split('-');
            if (!int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                continue;
            }

            var last = bounds.Length > 1 && int.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : first;
            for (var i = first; i <= last; i++)
            {
                yield return i;
            }
        }
    }

    private static string ErrorLine(ProcessResult result)
    {
        var lines = (result.Error + "\n" + result.Out).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? lines.FirstOrDefault() ?? "no message";
    }

    private static ProcessResult Run(string file, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new SchedulerException($"cannot start {file}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new SchedulerException($"{Path.GetFileName(file)} did not answer within {Timeout.TotalSeconds:F0} s", "is slurmctld running? (sinfo)");
        }

        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex JobIdPattern();

    private sealed record ProcessResult(int ExitCode, string Out, string Error);
}
