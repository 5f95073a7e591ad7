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
        Converters = { new FiniteDoubleConverter(), new FiniteSingleConverter() },
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

    /// <summary>PRTF cut-off as a fraction of Nyquist; null when the PRTF never falls below 1/e (the findings say why).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public double? PrtfCutoff { get; set; }

    /// <summary>Findings of analyses on the final item.</summary>
    public Dictionary<string, object>? Findings { get; set; }

    /// <summary>Fills <see cref="Runs"/>, <see cref="Backend"/> and <see cref="PrtfCutoff"/> from a reconstruction set.</summary>
    public void Describe(ReconstructionSet set, string outputDirectory)
    {
        Backend = set.Backend ?? Backend;
        PrtfCutoff = Finite(set.PrtfCutoff);
        DescribeRuns(set.Runs.Select(r => (r, (IReadOnlyList<string>)r.Files)), outputDirectory);
    }

    /// <summary>Fills <see cref="Runs"/> from <paramref name="runs"/> and their files, in index order (after a cancellation or failure: the runs that were written).</summary>
    public void DescribeRuns(IEnumerable<(Reconstruction Run, IReadOnlyList<string> Files)> runs, string outputDirectory)
    {
        Runs = runs.OrderBy(p => p.Run.Index).Select(p => new RunRecord(
            p.Run.Index,
            p.Run.Seed,
            p.Run.State.ToString().ToLowerInvariant(),
            Finite(p.Run.Llk),
            Finite(p.Run.FreeLlk),
            Finite(p.Run.Chi2),
            p.Run.SupportSize,
            Finite(p.Run.RMatch),
            Math.Round(p.Run.Seconds, 3),
            p.Run.Reason,
            p.Files.Select(f => Relative(outputDirectory, f)).ToList())).ToList();
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

    /// <summary>Writes NaN and ±Infinity as <c>null</c> (JSON has no such numbers; strings like "NaN" break readers).</summary>
    private sealed class FiniteDoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    /// <summary>Writes NaN and ±Infinity as <c>null</c>.</summary>
    private sealed class FiniteSingleConverter : JsonConverter<float>
    {
        public override float Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? float.NaN : reader.GetSingle();

        public override void Write(Utf8JsonWriter writer, float value, JsonSerializerOptions options)
        {
            if (float.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
