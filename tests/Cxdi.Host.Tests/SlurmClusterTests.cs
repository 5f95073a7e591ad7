using System.Text.Json;
using Cxdi.Host.Cli;

namespace Cxdi.Host.Tests;

/// <summary>
/// cxdi submit on a real SLURM cluster (the single-node cluster of ../shared/tools/slurm, started by .ci/run): skipped with
/// the reason when sbatch is absent or no cluster answers. The quickstart with a shorter recipe keeps each test to seconds.
/// </summary>
public sealed class SlurmClusterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    private static string Quickstart => Path.Combine(Harness.RepositoryRoot(), "examples", "quickstart.yaml");

    private static string[] Short => ["--set", "steps.0.with.operators=ER**20 * (Sup * ER**5 * HIO**20)**4 * HIO**40", "--set", "input.with.size=128"];

    [SlurmFact]
    public async Task Quickstart_AsFourTasks_GivesTheRunsAndAverageOfTheLocalRun()
    {
        using var temp = new TempDir();
        var local = await SlurmCluster.Cxdi(temp.Path, SlurmCluster.ProcessPath, ["run", Quickstart, "--out", "local", "--set", "steps.0.with.runs_dir=" + Path.Combine(temp.Path, "local-runs"), .. Short]);
        Assert.Equal(0, local.ExitCode);

        var submit = await SlurmCluster.Cxdi(temp.Path, SlurmCluster.ProcessPath, ["submit", Quickstart, "--scheduler", "slurm", "--tasks", "4", "--out", "slurm", "--cxdi", SlurmCluster.Executable, .. Short]);
        Assert.Equal("", submit.Error);
        Assert.Equal(0, submit.ExitCode);
        var dir = Path.Combine(temp.Path, "slurm");
        var status = await SlurmCluster.WaitForStatus(dir, Patience);
        Assert.True(status.ExitCode == 0, status.Out + status.Error + Logs(dir));
        Assert.Contains("done: 4 of 4 runs saved", status.Out);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(SlurmEquality.SavedObject(Path.Combine(temp.Path, "local-runs", $"run_{i:D2}.cxdirun")), SlurmEquality.SavedObject(SubmitRecord.RunFile(dir, i)));
            Assert.True(File.Exists(Path.Combine(SubmitRecord.TaskDirectory(dir, i), $"run_{i:D2}.cxi")));
        }

        SlurmEquality.AssertSameResult(Path.Combine(temp.Path, "local"), dir);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        Assert.Equal("tasks/task_02/run_02.cxi", summary.RootElement.GetProperty("runs")[2].GetProperty("files")[0].GetString());
        var error = summary.RootElement.GetProperty("findings").GetProperty("cxdi.phase").GetProperty("error_to_truth").GetDouble();
        Assert.True(error < 0.2, $"error to the true object {error:G3}");
    }

    [SlurmFact]
    public async Task FailedTask_IsReportedByStatus_AndRedoneByResume()
    {
        using var temp = new TempDir();
        var dir = Path.Combine(temp.Path, "slurm");

        // Task 1 cannot create its output folder: a file stands where it goes.
        var blocker = temp.File(Path.Combine("slurm", "tasks", "task_01"), "in the way");
        var submit = await SlurmCluster.Cxdi(temp.Path, SlurmCluster.ProcessPath, ["submit", Quickstart, "--runs-per-task", "2", "--out", "slurm", "--cxdi", SlurmCluster.Executable, .. Short]);
        Assert.Equal(0, submit.ExitCode);
        var status = await SlurmCluster.WaitForStatus(dir, Patience);
        Assert.True(status.ExitCode == 1, status.Out + status.Error + Logs(dir));
        var lines = status.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("0     0-1", StringComparison.Ordinal) && l.Contains("COMPLETED", StringComparison.Ordinal) && l.TrimEnd().EndsWith("2/2", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("1     2-3", StringComparison.Ordinal) && l.Contains("FAILED (exit 2:0)", StringComparison.Ordinal) && l.TrimEnd().EndsWith("0/2", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("merge", StringComparison.Ordinal) && l.Contains("CANCELLED (DependencyNeverSatisfied)", StringComparison.Ordinal) && l.Contains("no summary.json yet", StringComparison.Ordinal));
        Assert.Contains($"incomplete: 2 of 4 runs saved; cxdi submit --resume {dir} resubmits 1 task(s) and the merge", status.Out);
        Assert.Contains("task_01 is a file, not a directory", Logs(dir));

        File.Delete(blocker);
        var resume = await SlurmCluster.Cxdi(temp.Path, SlurmCluster.ProcessPath, "submit", "--resume", "slurm");
        Assert.Equal("", resume.Error);
        Assert.Equal(0, resume.ExitCode);
        Assert.Contains("(1 task(s) of 2 run(s): 1)", resume.Out);
        status = await SlurmCluster.WaitForStatus(dir, Patience);
        Assert.True(status.ExitCode == 0, status.Out + status.Error + Logs(dir));
        var record = SubmitRecord.Load(dir);
        Assert.Equal([1, 2], record.Tasks.Select(t => t.Attempts));
        Assert.Equal(2, record.Submissions.Count);
        Assert.NotEqual(record.Tasks[0].Job, record.Tasks[1].Job);

        var again = await SlurmCluster.Cxdi(temp.Path, SlurmCluster.ProcessPath, "submit", "--resume", "slurm");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing to resume: all 4 runs are saved and merged", again.Out);
    }

    [SlurmFact]
    public async Task CancelledJob_LeavesAConsistentStatus_AndResumeFinishesIt()
    {
        using var temp = new TempDir();
        var dir = Path.Combine(temp.Path, "slurm");
        var submit = await SlurmCluster.Cxdi(temp.Path, SlurmCluster.ProcessPath, ["submit", Quickstart, "--tasks", "4", "--out", "slurm", "--cxdi", SlurmCluster.Executable, .. Short]);
        Assert.Equal(0, submit.ExitCode);
        var record = SubmitRecord.Load(dir);
        Assert.Equal(0, SlurmCluster.Tool("scancel", record.Tasks[0].Job!).Code);

        var status = await SlurmCluster.WaitForStatus(dir, Patience);
        Assert.True(status.ExitCode == 1, status.Out + status.Error);
        Assert.Contains(status.Out.Split('\n'), l => l.StartsWith("merge", StringComparison.Ordinal) && l.Contains("CANCELLED", StringComparison.Ordinal));
        Assert.Contains("incomplete:", status.Out);
        Assert.False(File.Exists(Path.Combine(dir, "summary.json")), "a cancelled submission claims no merged result");

        // What status counts is what is on disk: the runs saved, each complete.
        var saved = Enumerable.Range(0, 4).Count(i => File.Exists(SubmitRecord.RunFile(dir, i)));
        Assert.Contains($"incomplete: {saved} of 4 runs saved", status.Out);

        var resume = await SlurmCluster.Cxdi(temp.Path, SlurmCluster.ProcessPath, "submit", "--resume", "slurm");
        Assert.Equal(0, resume.ExitCode);
        status = await SlurmCluster.WaitForStatus(dir, Patience);
        Assert.True(status.ExitCode == 0, status.Out + status.Error + Logs(dir));
        Assert.Contains("done: 4 of 4 runs saved", status.Out);
    }

    private static string Logs(string dir)
    {
        var logs = Path.Combine(dir, "slurm");
        return Directory.Exists(logs) ? string.Join("\n", Directory.EnumerateFiles(logs, "*.log").Order(StringComparer.Ordinal).Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}")) : "";
    }
}
