using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cxdi.Sdk.Data;

namespace Cxdi.Host.Execution;

/// <summary>What happened to one step, as recorded in <c>summary.json</c>.</summary>
public sealed class StepRecord
{
    /// <summary>Step id (<c>input</c> for the reader).</summary>
    public required string Id { get; init; }

    /// <summary>Plugin id.</summary>
    public required string Plugin { get; init; }

    /// <summary>Plugin version.</summary>
    public required string Version { get; init; }

    /// <summary><c>succeeded</c>, <c>failed</c>, <c>cancelled</c> or <c>skipped</c>.</summary>
    public string Status { get; set; } = "skipped";

    /// <summary>Wall time in seconds.</summary>
    public double Seconds { get; set; }

    /// <summary>Error or note, one line.</summary>
    public string? Message { get; set; }
}

/// <summary>One run of a reconstruction set, as recorded in <c>summary.json</c>.</summary>
public sealed record RunRecord(
    int Index,
    long Seed,
    string State,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Llk,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? FreeLlk,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Chi2,
    long SupportSize,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? RMatch,
    double Seconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Reason,
    IReadOnlyList<string> Files);

/// <summary>The contents of <c>summary.json</c>, written atomically at the end of every run (succeeded, failed or cancelled).</summary>
public sealed class RunSummary
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Format version of this file.</summary>
    public int Schema { get; init; } = 1;

    /// <summary>Workflow name.</summary>
    public required string Workflow { get; init; }

    /// <summary>Workflow file (absolute).</summary>
    public required string File { get; init; }

    /// <summary><c>succeeded</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    public string Status { get; set; } = "failed";

    /// <summary>The error that stopped the run, one line.</summary>
    public string? Message { get; set; }

    /// <summary>Process exit code.</summary>
    public int ExitCode { get; set; }

    /// <summary>Workbench version.</summary>
    public required string SoftwareVersion { get; init; }

    /// <summary>SDK version.</summary>
    public required string SdkVersion { get; init; }

    /// <summary>The command line.</summary>
    public required string Command { get; init; }

    /// <summary>UTC start time, ISO 8601.</summary>
    public required string Started { get; init; }

    /// <summary>Total wall time.</summary>
    public double Seconds { get; set; }

    /// <summary>Compute backend and FFT, when a phaser reported them.</summary>
    public string? Backend { get; set; }

    /// <summary>Input description (file and inner path).</summary>
    public string? Input { get; set; }

    /// <summary>Every step in order, including the input and the writers.</summary>
    public List<StepRecord> Steps { get; } = [];

    /// <summary>Every file written, relative to the output directory.</summary>
    public List<string> Files { get; set; } = [];

    /// <summary>For a reconstruction set: every run.</summary>
    public List<RunRecord>? Runs { get; set; }

    /// <summary>PRTF cut-off as a fraction of Nyquist.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? PrtfCutoff { get; set; }

    /// <summary>Findings of analyses on the final item.</summary>
    public Dictionary<string, object>? Findings { get; set; }

    /// <summary>Fills <see cref="Runs"/>, <see cref="Backend"/> and <see cref="PrtfCutoff"/> from a reconstruction set.</summary>
    public void Describe(ReconstructionSet set, string outputDirectory)
    {
        Backend = set.Backend ?? Backend;
        PrtfCutoff = Finite(set.PrtfCutoff);
        Runs = set.Runs.Select(r => new RunRecord(
            r.Index,
            r.Seed,
            r.State.ToString().ToLowerInvariant(),
            Finite(r.Llk),
            Finite(r.FreeLlk),
            Finite(r.Chi2),
            r.SupportSize,
            Finite(r.RMatch),
            Math.Round(r.Seconds, 3),
            r.Reason,
            r.Files.Select(f => Relative(outputDirectory, f)).ToList())).ToList();
    }

    /// <summary>The path relative to the output directory when it lies inside it.</summary>
    public static string Relative(string outputDirectory, string file)
    {
        var relative = Path.GetRelativePath(outputDirectory, Path.GetFullPath(file, outputDirectory));
        return relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
    }

    /// <summary>Writes the summary atomically to <paramref name="path"/>.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");

    /// <summary>The JSON text.</summary>
    public string ToJson()
    {
        try
        {
            return JsonSerializer.Serialize(this, Json);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            Findings = Findings?.ToDictionary(kv => kv.Key, kv => (object)(kv.Value?.ToString() ?? ""));
            return JsonSerializer.Serialize(this, Json);
        }
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
