using System.Text.Json;
using Cxdi.Host.Cli;
using PureHDF;

namespace Cxdi.Host.Tests;

/// <summary>cxdi submit without a cluster: sbatch's argument list, refusals, the layout of tasks, the scheduler's answers.</summary>
public sealed class SlurmSubmitTests
{
    private const string Flow = """
        schema: 1
        name: tiny
        input:
          use: cxdi.simulate
          with: { dims: 2, size: 64, oversampling: 4, photons: 1e8, seed: 3 }
        steps:
          - use: cxdi.phase
            with: { operators: "ER**10 * HIO**10", runs: 4, keep: 2, seed: 5 }
        output:
          writers: [cxdi.cxi]
        """;

    [Fact]
    public void SbatchArguments_AreSeparateArguments_WithNoShellQuoting()
    {
        var dir = "/data/my beam; time/$(rm -rf x)";
        var request = new SbatchRequest("cxdi-x", dir, dir + "/slurm/task_%a_%A.log", "short", "0:30:00", "id10", ["--qos=low prio", "--mem=4G"]) { ArrayIndices = [0, 1, 2, 4] };
        var args = request.Arguments(dir + "/slurm/task.sh", ["/opt/cxdi/cxdi", "slurm-task", dir]);
        Assert.Equal(
            ["--parsable", "--job-name=cxdi-x", $"--chdir={dir}", $"--output={dir}/slurm/task_%a_%A.log", "--array=0-2,4", "--partition=short", "--time=0:30:00", "--account=id10", "--qos=low prio", "--mem=4G", dir + "/slurm/task.sh", "/opt/cxdi/cxdi", "slurm-task", dir],
            args);
        var merge = new SbatchRequest("cxdi-x-merge", "/d", "/d/m.log", null, null, null, []) { AfterOk = ["123"] };
        Assert.Equal(["--parsable", "--job-name=cxdi-x-merge", "--chdir=/d", "--output=/d/m.log", "--dependency=afterok:123", "/d/merge.sh", "cxdi", "slurm-merge", "/d"], merge.Arguments("/d/merge.sh", ["cxdi", "slurm-merge", "/d"]));
    }

    [Fact]
    public void BatchScripts_HoldNoPathOrValue()
    {
        Assert.Equal("exec \"$@\" \"$SLURM_ARRAY_TASK_ID\"", SubmitCommand.TaskScript.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.Equal("exec \"$@\"", SubmitCommand.MergeScript.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Theory]
    [InlineData(10, 5, null, 5, 2)]
    [InlineData(10, null, 2, 5, 2)]
    [InlineData(10, 5, 2, 5, 2)]
    [InlineData(4, null, null, 4, 1)]
    [InlineData(10, 3, null, 3, 4)]
    [InlineData(10, null, 3, 4, 3)]
    public void Layout_CoversEveryRun(int runs, int? tasks, int? perTask, int expectedTasks, int expectedPerTask)
    {
        Assert.Equal((expectedTasks, expectedPerTask), SubmitCommand.Layout(runs, tasks, perTask));
        var slices = SubmitRecord.Split(runs, expectedPerTask);
        Assert.Equal(Enumerable.Range(0, runs), slices.SelectMany(s => s.RunIndices));
    }

    [Theory]
    [InlineData(10, 6, 2, "--tasks 6 --runs-per-task 2: 10 runs make 5 task(s) of 2 run(s) (lower --tasks, or raise runs)")]
    [InlineData(10, 2, 2, "--tasks 2 --runs-per-task 2: 10 runs make 5 task(s) of 2 run(s) (raise --tasks or --runs-per-task, or lower runs (--set steps.N.with.runs=…))")]
    [InlineData(10, 0, null, "--tasks 0: must be at least 1")]
    public void Layout_RefusesTasksThatDoNotFit(int runs, int? tasks, int? perTask, string message)
    {
        var e = Assert.Throws<UsageException>(() => SubmitCommand.Layout(runs, tasks, perTask));
        Assert.Equal(message, e.OneLine);
    }

    [Fact]
    public void ArrayRangesAndScontrolOutput_AreParsed()
    {
        Assert.Equal("1,3,5-7", SbatchRequest.ArrayRange([7, 5, 1, 6, 3]));
        Assert.Equal([0, 1, 2, 3, 7], SlurmClient.ExpandRange("0-3,7%2"));
        var text = """
            JobId=12 ArrayJobId=10 ArrayTaskId=2-3 JobName=cxdi-q UserId=root(0) JobState=PENDING Reason=Resources Dependency=(null) ExitCode=0:0 Command=/d/my dir/task.sh
            JobId=11 ArrayJobId=10 ArrayTaskId=1 JobName=cxdi-q JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0
            JobId=10 ArrayJobId=10 ArrayTaskId=0 JobName=cxdi-q JobState=COMPLETED Reason=None ExitCode=0:0
            """;
        var states = SlurmClient.ParseShowJob(text);
        Assert.Equal(["10/2/PENDING", "10/3/PENDING", "10/1/FAILED", "10/0/COMPLETED"], states.Select(s => $"{s.JobId}/{s.TaskId}/{s.State}"));
        Assert.Equal("2:0", states[2].ExitCode);
        Assert.True(states[0].IsActive);
        Assert.False(states[2].IsActive);
        var merge = SlurmClient.ParseShowJob("JobId=13 JobName=cxdi-q-merge JobState=CANCELLED Reason=DependencyNeverSatisfied ExitCode=0:0");
        Assert.Equal(new SlurmJobState("13", null, "CANCELLED", "DependencyNeverSatisfied", "0:0"), merge.Single());
    }

    [Fact]
    public async Task Submit_WithoutSbatchOnPath_IsOneLineAndExit2_AndWritesNothing()
    {
        using var temp = new TempDir();
        temp.File("tiny.yaml", Flow);
        var r = await SlurmCluster.Cxdi(temp.Path, Path.Combine(temp.Path, "no-bin"), "submit", "tiny.yaml", "--scheduler", "slurm", "--tasks", "2", "--out", "sub");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["cxdi: error: sbatch not found on PATH: SLURM is not installed on this machine (submit from a SLURM login node, or load SLURM first (module load slurm))"], r.ErrorLines);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "sub")));
    }

    [Fact]
    public async Task Submit_RefusedBySbatch_IsOneLineWithSbatchsError_Exit1()
    {
        using var temp = new TempDir();
        temp.File("tiny.yaml", Flow);
        var bin = FakeTool(temp, "sbatch", "echo 'sbatch: error: Batch job submission failed: Invalid partition name specified' >&2\nexit 1\n");
        var r = await SlurmCluster.Cxdi(temp.Path, bin, "submit", "tiny.yaml", "--tasks", "2", "--partition", "nope", "--out", "sub");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(["cxdi: error: sbatch refused the job array (exit 1): sbatch: error: Batch job submission failed: Invalid partition name specified (check --partition, --time, --account and the extra sbatch arguments)"], r.ErrorLines);
        Assert.False(File.Exists(Path.Combine(temp.Path, "sub", SubmitRecord.FileName)));
    }

    [Fact]
    public async Task Submit_PassesEachValueAsOneArgument_AndRecordsTheJobs()
    {
        using var temp = new TempDir();
        temp.File("tiny.yaml", Flow);
        // A stand-in sbatch: records its arguments one per line (NUL-free) and answers job ids as --parsable does.
        var bin = FakeTool(temp, "sbatch", "n=$(ls \"$0.calls\" 2>/dev/null | wc -l)\nmkdir -p \"$0.calls\"\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$0.calls/$n\"\necho $((100 + n))\n");
        var r = await SlurmCluster.Cxdi(temp.Path, bin, "submit", "tiny.yaml", "--runs-per-task", "2", "--time", "5", "--sbatch-arg=--qos=a b", "--out", "my sub", "--cxdi", SlurmCluster.Executable);
        Assert.Equal("", r.Error);
        Assert.Equal(0, r.ExitCode);
        var dir = Path.Combine(temp.Path, "my sub");
        var array = File.ReadAllLines(Path.Combine(bin, "sbatch.calls", "0"));
        Assert.Equal(["--parsable", "--job-name=cxdi-tiny", $"--chdir={dir}", $"--output={dir}/slurm/task_%a_%A.log", "--array=0-1", "--time=5", "--qos=a b", $"{dir}/slurm/task.sh", SlurmCluster.Executable, "slurm-task", dir], array);
        var merge = File.ReadAllLines(Path.Combine(bin, "sbatch.calls", "1"));
        Assert.Contains("--dependency=afterok:100", merge);
        Assert.Equal([SlurmCluster.Executable, "slurm-merge", dir], merge[^3..]);

        var record = SubmitRecord.Load(dir);
        Assert.Equal(["0-1/100", "2-3/100"], record.Tasks.Select(t => $"{t.First}-{t.Last}/{t.Job}"));
        Assert.Equal("101", record.MergeJob);
        Assert.True(File.Exists(Path.Combine(dir, SubmitRecord.WorkflowName)));
        Assert.Equal(
            ["slurm", SubmitRecord.FileName, SubmitRecord.WorkflowName],
            Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var again = await SlurmCluster.Cxdi(temp.Path, bin, "submit", "tiny.yaml", "--out", "my sub");
        Assert.Equal(2, again.ExitCode);
        Assert.StartsWith($"cxdi: error: {dir} already holds a submission (submission.json)", again.ErrorLines.Single());
    }

    [Fact]
    public async Task Submit_WorkflowWithoutPhaseStep_IsRefused()
    {
        using var temp = new TempDir();
        temp.File("nophase.yaml", "schema: 1\nname: nophase\ninput:\n  use: cxdi.simulate\n  with: { size: 64 }\nsteps: []\n");
        var bin = FakeTool(temp, "sbatch", "echo 1\n");
        var r = await SlurmCluster.Cxdi(temp.Path, bin, "submit", "nophase.yaml", "--out", "sub");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["cxdi: error: nophase.yaml: no cxdi.phase step; cxdi submit splits the random starts of cxdi.phase over array tasks"], r.ErrorLines);
    }

    [Fact]
    public async Task Status_OfAFolderWithoutSubmission_IsOneLineExit2()
    {
        using var temp = new TempDir();
        var r = await SlurmCluster.Cxdi(temp.Path, "", "status", ".");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal([$"cxdi: error: {temp.Path} holds no submission.json: not a cxdi submit folder (give the --out folder of cxdi submit)"], r.ErrorLines);
    }

    [Fact]
    public async Task RunsSlice_OutsideTheRuns_IsAnOptionError()
    {
        using var temp = new TempDir();
        temp.File("tiny.yaml", Flow);
        var r = await SlurmCluster.Cxdi(temp.Path, "", "validate", "tiny.yaml", "--set", "steps.0.with.runs_slice=3-5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("runs_slice '3-5' names run 5 but there are only runs 0-3 (runs: 4)", r.Error);
        var merge = await SlurmCluster.Cxdi(temp.Path, "", "validate", "tiny.yaml", "--set", "steps.0.with.merge_only=true");
        Assert.Equal(2, merge.ExitCode);
        Assert.Contains("merge_only needs runs_dir", merge.Error);
    }

    [Fact]
    public async Task SliceRunsThenMerge_InOneProcess_EqualTheFullRun()
    {
        using var temp = new TempDir();
        temp.File("tiny.yaml", Flow);
        var full = await SlurmCluster.Cxdi(temp.Path, "", "run", "tiny.yaml", "--out", "full", "--set", "steps.0.with.runs_dir=" + Path.Combine(temp.Path, "full-runs"));
        Assert.Equal(0, full.ExitCode);
        foreach (var slice in new[] { "0-1", "2-3" })
        {
            var part = await SlurmCluster.Cxdi(temp.Path, "", "run", "tiny.yaml", "--out", "slice" + slice, "--set", $"steps.0.with.runs_slice={slice}", "--set", "steps.0.with.runs_dir=" + Path.Combine(temp.Path, "runs"));
            Assert.Equal(0, part.ExitCode);
        }

        var merged = await SlurmCluster.Cxdi(temp.Path, "", "run", "tiny.yaml", "--out", "merged", "--set", "steps.0.with.merge_only=true", "--set", "steps.0.with.runs_dir=" + Path.Combine(temp.Path, "runs"));
        Assert.Equal("", merged.Error);
        Assert.Equal(0, merged.ExitCode);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(SlurmEquality.SavedObject(Path.Combine(temp.Path, "full-runs", $"run_{i:D2}.cxdirun")), SlurmEquality.SavedObject(Path.Combine(temp.Path, "runs", $"run_{i:D2}.cxdirun")));
        }

        SlurmEquality.AssertSameResult(Path.Combine(temp.Path, "full"), Path.Combine(temp.Path, "merged"));

        // A merge missing a run says which, and fails the run (exit 1).
        File.Delete(Path.Combine(temp.Path, "runs", "run_02.cxdirun"));
        var missing = await SlurmCluster.Cxdi(temp.Path, "", "run", "tiny.yaml", "--out", "merged2", "--set", "steps.0.with.merge_only=true", "--set", "steps.0.with.runs_dir=" + Path.Combine(temp.Path, "runs"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("merge_only: 1 of 4 saved runs are missing", missing.Error);
        Assert.Contains("run_02.cxdirun", missing.Error);
    }

    private static string FakeTool(TempDir temp, string name, string body)
    {
        var bin = Path.Combine(temp.Path, "bin");
        var path = temp.File(Path.Combine("bin", name), "#!/bin/sh\n" + body);
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return bin;
    }
}

/// <summary>Comparisons of a local and a split run: saved run objects, kept runs, run metrics, the average.</summary>
public static class SlurmEquality
{
    /// <summary>The object bytes of a saved run (after its header).</summary>
    public static byte[] SavedObject(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var headerLength = BitConverter.ToInt32(bytes, 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(12, headerLength));
        var length = header.RootElement.GetProperty("object_length").GetInt64();
        return bytes.AsSpan(12 + headerLength, (int)(length * 8)).ToArray();
    }

    /// <summary>Same kept runs, same run metrics, same error to the truth and PRTF, the same average array.</summary>
    public static void AssertSameResult(string local, string split)
    {
        using var a = JsonDocument.Parse(File.ReadAllText(Path.Combine(local, "summary.json")));
        using var b = JsonDocument.Parse(File.ReadAllText(Path.Combine(split, "summary.json")));
        Assert.Equal("succeeded", b.RootElement.GetProperty("status").GetString());
        var pa = a.RootElement.GetProperty("findings").GetProperty("cxdi.phase");
        var pb = b.RootElement.GetProperty("findings").GetProperty("cxdi.phase");
        foreach (var key in new[] { "kept", "r_match", "prtf_cutoff", "error_to_truth", "uncertainty_relative", "uncertainty_map", "fsc_half_runs" })
        {
            if (pa.TryGetProperty(key, out var va))
            {
                Assert.Equal(va.GetRawText(), pb.GetProperty(key).GetRawText());
            }
        }

        static IEnumerable<string> Runs(JsonDocument d) => d.RootElement.GetProperty("runs").EnumerateArray()
            .Select(r => $"{r.GetProperty("index").GetInt32()} {r.GetProperty("seed").GetInt64()} {r.GetProperty("state").GetString()} {r.GetProperty("llk").GetRawText()} {r.GetProperty("free_llk").GetRawText()}");
        Assert.Equal(Runs(a), Runs(b));
        Assert.Equal(Average(Path.Combine(local, "result.cxi")), Average(Path.Combine(split, "result.cxi")));
    }

    /// <summary>The average object of a result.cxi (<c>/entry_1/image_1/data</c>), as interleaved floats.</summary>
    public static float[] Average(string cxi)
    {
        using var file = H5File.OpenRead(cxi);
        return [.. file.Dataset("/entry_1/image_1/data").Read<Pair[]>().SelectMany(p => new[] { p.r, p.i })];
    }

    /// <summary>A CXI complex64 element.</summary>
    public struct Pair
    {
        /// <summary>Real part.</summary>
#pragma warning disable SA1307, IDE1006 // CXI's compound member names
        public float r;

        /// <summary>Imaginary part.</summary>
        public float i;
#pragma warning restore SA1307, IDE1006
    }
}
