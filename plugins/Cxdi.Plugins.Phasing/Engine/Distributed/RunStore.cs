using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.IO;

namespace Cxdi.Plugins.Phasing.Engine.Distributed;

/// <summary>
/// Saves one finished run bit for bit (<c>run_NN.cxdirun</c>: magic, a JSON header, the complex object, the support) and
/// reads runs back for a merge. A file records the recipe and a hash of the data it was phased from, so a merge refuses
/// runs of another workflow instead of averaging them.
/// </summary>
internal static class RunStore
{
    /// <summary>File extension of a saved run.</summary>
    public const string Extension = ".cxdirun";

    private static readonly byte[] Magic = "CXDIRUN1"u8.ToArray();

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The file of run <paramref name="index"/> in <paramref name="directory"/>.</summary>
    public static string PathOf(string directory, int index) => Path.Combine(Path.GetFullPath(directory), $"run_{index:D2}{Extension}");

    /// <summary>What must match between the tasks that phased the runs and the merge: every option that changes a run (not runs, keep, threads, slice), and the data.</summary>
    public static string Recipe(PhaseOptions options, DiffractionData data)
    {
        var normalized = options with
        {
            Runs = 1, Keep = 1, Threads = 0, ParallelRuns = 0, Backend = null, ProgressEvery = 1, RunsSlice = null, RunsDir = null, MergeOnly = false,
            MaxOutsideEnergy = 0,
        };
        var hash = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(data.Intensity.AsSpan())))[..16];
        return $"{normalized}; data {data.Shape} sha256:{hash}";
    }

    /// <summary>Writes <paramref name="run"/> (finished or failed, before selection changes its object) atomically.</summary>
    public static string Save(string directory, Reconstruction run, string recipe)
    {
        Directory.CreateDirectory(Path.GetFullPath(directory));
        var header = new RunHeader
        {
            Index = run.Index,
            Seed = run.Seed,
            Shape = run.Shape.Dimensions,
            State = run.State,
            Reason = run.Reason,
            Llk = run.Llk,
            FreeLlk = run.FreeLlk,
            Chi2 = run.Chi2,
            SupportSize = run.SupportSize,
            EnergyOutsideSupport = run.EnergyOutsideSupport,
            Seconds = run.Seconds,
            Files = [.. run.Files],
            Recipe = recipe,
            History = [.. run.History],
            ObjectLength = run.Object.LongLength,
            SupportLength = run.Support.LongLength,
        };
        var json = JsonSerializer.SerializeToUtf8Bytes(header, Json);
        var objectBytes = MemoryMarshal.AsBytes(run.Object.AsSpan());
        var bytes = new byte[Magic.Length + 4 + json.Length + objectBytes.Length + run.Support.Length];
        Magic.CopyTo(bytes, 0);
        BitConverter.TryWriteBytes(bytes.AsSpan(Magic.Length, 4), json.Length);
        json.CopyTo(bytes, Magic.Length + 4);
        objectBytes.CopyTo(bytes.AsSpan(Magic.Length + 4 + json.Length));
        run.Support.CopyTo(bytes, Magic.Length + 4 + json.Length + objectBytes.Length);
        var path = PathOf(directory, run.Index);
        AtomicFile.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Reads runs 0 … <paramref name="runs"/>−1; throws when one is missing, unreadable, or of another recipe or shape.</summary>
    public static Reconstruction[] LoadAll(string directory, int runs, Shape shape, long baseSeed, string recipe)
    {
        var missing = Enumerable.Range(0, runs).Where(i => !File.Exists(PathOf(directory, i))).ToList();
        if (missing.Count > 0)
        {
            var names = string.Join(", ", missing.Take(5).Select(i => $"run_{i:D2}{Extension}")) + (missing.Count > 5 ? $" and {missing.Count - 5} more" : "");
            throw new PhasingFailedException(
                $"merge_only: {missing.Count} of {runs} saved runs are missing in {Path.GetFullPath(directory)} ({names})",
                "phase the missing runs first (cxdi submit --resume DIR), or lower runs");
        }

        return [.. Enumerable.Range(0, runs).Select(i => Load(PathOf(directory, i), i, shape, baseSeed + i, recipe))];
    }

    private static Reconstruction Load(string path, int index, Shape shape, long seed, string recipe)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, $"cannot be read: {e.Message}", inner: e);
        }

        RunHeader? header = null;
        var jsonLength = bytes.Length >= Magic.Length + 4 ? BitConverter.ToInt32(bytes, Magic.Length) : -1;
        if (bytes.AsSpan().StartsWith(Magic) && jsonLength > 0 && jsonLength <= bytes.Length - Magic.Length - 4)
        {
            try
            {
                header = JsonSerializer.Deserialize<RunHeader>(bytes.AsSpan(Magic.Length + 4, jsonLength), Json);
            }
            catch (JsonException)
            {
                header = null;
            }
        }

        if (header is null)
        {
            throw new InvalidInputException(path, "is not a saved cxdi run (bad header)", "delete it and phase this run again");
        }

        var offset = Magic.Length + 4 + jsonLength;
        if (header.ObjectLength != shape.Length || (header.SupportLength != 0 && header.SupportLength != shape.Length) || bytes.LongLength != offset + (header.ObjectLength * 8) + header.SupportLength)
        {
            throw new InvalidInputException(path, $"holds a run of {header.ObjectLength} pixels ({bytes.LongLength} bytes) but the data are {shape}", "delete it and phase this run again");
        }

        if (header.Index != index || header.Seed != seed)
        {
            throw new InvalidInputException(path, $"holds run {header.Index} with seed {header.Seed}, expected run {index} with seed {seed}", "use the seed the runs were phased with");
        }

        if (!string.Equals(header.Recipe, recipe, StringComparison.Ordinal))
        {
            throw new InvalidInputException(path, "was phased with another recipe or from other data than this merge", "merge with the same workflow and --set values the tasks ran");
        }

        var obj = new Complex32[header.ObjectLength];
        bytes.AsSpan(offset, (int)(header.ObjectLength * 8)).CopyTo(MemoryMarshal.AsBytes(obj.AsSpan()));
        var support = bytes.AsSpan(offset + (int)(header.ObjectLength * 8), (int)header.SupportLength).ToArray();
        var run = new Reconstruction
        {
            Index = header.Index,
            Seed = header.Seed,
            Shape = shape,
            Object = obj,
            Support = support,
            Llk = header.Llk,
            FreeLlk = header.FreeLlk,
            Chi2 = header.Chi2,
            SupportSize = header.SupportSize,
            EnergyOutsideSupport = header.EnergyOutsideSupport,
            State = header.State,
            Reason = header.Reason,
            Seconds = header.Seconds,
        };
        run.History.AddRange(header.History);
        run.Files.AddRange(header.Files);
        return run;
    }

    /// <summary>A note for logs: how many runs a folder holds.</summary>
    public static string Describe(string directory, int runs) =>
        string.Create(CultureInfo.InvariantCulture, $"{Enumerable.Range(0, runs).Count(i => File.Exists(PathOf(directory, i)))} of {runs} runs saved in {Path.GetFullPath(directory)}");

    private sealed class RunHeader
    {
        public int Index { get; init; }

        public long Seed { get; init; }

        public int[] Shape { get; init; } = [];

        public RunState State { get; init; }

        public string? Reason { get; init; }

        public double Llk { get; init; }

        public double FreeLlk { get; init; }

        public double Chi2 { get; init; }

        public long SupportSize { get; init; }

        public double EnergyOutsideSupport { get; init; }

        public double Seconds { get; init; }

        public List<string> Files { get; init; } = [];

        public string Recipe { get; init; } = "";

        public List<MetricSample> History { get; init; } = [];

        public long ObjectLength { get; init; }

        public long SupportLength { get; init; }
    }
}
