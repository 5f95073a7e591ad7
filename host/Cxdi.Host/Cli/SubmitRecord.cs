using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cxdi.Host.Execution;

namespace Cxdi.Host.Cli;

/// <summary>
/// What <c>cxdi submit</c> sent to the scheduler, kept in <c>submission.json</c> in the submission folder: the tasks and
/// their slices of runs, the job ids of their latest submission, the merge job, and every submission in order. Written
/// atomically after each submission; <c>cxdi status</c> and <c>cxdi submit --resume</c> read it.
/// </summary>
public sealed class SubmitRecord
{
    /// <summary>File name of the record in the submission folder.</summary>
    public const string FileName = "submission.json";

    /// <summary>Name of the resolved workflow the jobs run, in the submission folder.</summary>
    public const string WorkflowName = "workflow.yaml";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Record format version.</summary>
    public int Schema { get; set; } = 1;

    /// <summary>Scheduler: <c>slurm</c>.</summary>
    public string Scheduler { get; set; } = "slurm";

    /// <summary>Workflow name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The workflow file given to <c>cxdi submit</c> (full path).</summary>
    public string Source { get; set; } = "";

    /// <summary>The <c>--set</c> values given to <c>cxdi submit</c> (already applied in <see cref="WorkflowName"/>).</summary>
    public List<string> Sets { get; set; } = [];

    /// <summary>Index of the <c>cxdi.phase</c> step in the workflow's steps.</summary>
    public int StepIndex { get; set; }

    /// <summary>Random starts in all.</summary>
    public int Runs { get; set; }

    /// <summary>Runs kept for the average.</summary>
    public int Keep { get; set; }

    /// <summary>Runs per array task.</summary>
    public int RunsPerTask { get; set; }

    /// <summary>The command each job runs before its own arguments: the cxdi executable (or dotnet and cxdi.dll) and the plugin folders.</summary>
    public List<string> Command { get; set; } = [];

    /// <summary>Compute backend the jobs use, or null for the best available on the node.</summary>
    public string? Backend { get; set; }

    /// <summary>sbatch <c>--partition</c>.</summary>
    public string? Partition { get; set; }

    /// <summary>sbatch <c>--time</c>.</summary>
    public string? Time { get; set; }

    /// <summary>sbatch <c>--account</c>.</summary>
    public string? Account { get; set; }

    /// <summary>More sbatch arguments, one per entry.</summary>
    public List<string> SbatchArgs { get; set; } = [];

    /// <summary>The array tasks.</summary>
    public List<SubmitTask> Tasks { get; set; } = [];

    /// <summary>The job id of the latest merge job.</summary>
    public string? MergeJob { get; set; }

    /// <summary>Every submission (the first and each <c>--resume</c>), oldest first.</summary>
    public List<SubmitHistory> Submissions { get; set; } = [];

    /// <summary>Reads the record of submission folder <paramref name="directory"/>; throws a one-line error when there is none.</summary>
    public static SubmitRecord Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new UsageException($"{directory} holds no {FileName}: not a cxdi submit folder", "give the --out folder of cxdi submit");
        }

        try
        {
            return JsonSerializer.Deserialize<SubmitRecord>(File.ReadAllText(path), Json) is { Tasks.Count: > 0 } record
                ? record
                : throw new UsageException($"{path}: holds no tasks");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path}: not a valid submission record: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>Writes the record atomically into <paramref name="directory"/>.</summary>
    public void Save(string directory) => AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>The file a task's run <paramref name="index"/> is saved to (cxdi.phase's <c>runs_dir</c> naming).</summary>
    public static string RunFile(string directory, int index) => Path.Combine(directory, "runs", $"run_{index:D2}.cxdirun");

    /// <summary>The output folder of task <paramref name="task"/>.</summary>
    public static string TaskDirectory(string directory, int task) => Path.Combine(directory, "tasks", $"task_{task:D2}");

    /// <summary>The slices for <paramref name="runs"/> runs in tasks of <paramref name="perTask"/> runs.</summary>
    public static List<SubmitTask> Split(int runs, int perTask) =>
        [.. Enumerable.Range(0, (runs + perTask - 1) / perTask).Select(t => new SubmitTask { Task = t, First = t * perTask, Last = Math.Min(runs, (t + 1) * perTask) - 1 })];

    /// <summary>Reads the <c>status</c> of a run's summary.json, or null.</summary>
    public static string? SummaryStatus(string summaryPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(summaryPath));
            return document.RootElement.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The summary of a finished merge: kept runs, or null.</summary>
    public static int[]? KeptRuns(string summaryPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(summaryPath));
            if (document.RootElement.TryGetProperty("findings", out var f) && f.TryGetProperty("cxdi.phase", out var p) && p.TryGetProperty("kept", out var kept) && kept.ValueKind == JsonValueKind.Array)
            {
                return [.. kept.EnumerateArray().Select(k => k.GetInt32())];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }

        return null;
    }

    /// <summary>Name of a result file in a folder (for messages).</summary>
    public static string SummaryOf(string directory) => Path.Combine(directory, OutputFolder.SummaryName);
}

/// <summary>One array task: its index, its slice of runs and the job that ran it last.</summary>
public sealed class SubmitTask
{
    /// <summary>Array index, from 0.</summary>
    public int Task { get; set; }

    /// <summary>First run index.</summary>
    public int First { get; set; }

    /// <summary>Last run index (inclusive).</summary>
    public int Last { get; set; }

    /// <summary>The array job that ran this task last.</summary>
    public string? Job { get; set; }

    /// <summary>Times the task was submitted.</summary>
    public int Attempts { get; set; }

    /// <summary>The run indices of the task.</summary>
    [JsonIgnore]
    public IEnumerable<int> RunIndices => Enumerable.Range(First, Last - First + 1);
}

/// <summary>One submission: when, which array job and tasks, which merge job.</summary>
public sealed class SubmitHistory
{
    /// <summary>UTC time.</summary>
    public string Time { get; set; } = "";

    /// <summary>Array job id, or null when only a merge was submitted.</summary>
    public string? ArrayJob { get; set; }

    /// <summary>Array indices submitted.</summary>
    public List<int> Tasks { get; set; } = [];

    /// <summary>Merge job id.</summary>
    public string? MergeJob { get; set; }
}
