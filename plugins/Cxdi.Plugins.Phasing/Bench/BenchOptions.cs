using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Plugins.Phasing.Bench;

/// <summary>How hard FFTW searches for a fast algorithm when the benchmark plans a shape.</summary>
public enum BenchPlanner
{
    /// <summary>Time candidate algorithms (the first run of a shape costs up to ~10 s, later runs read the wisdom file).</summary>
    Measure,

    /// <summary>Pick by heuristics, instantly; transforms can be slower.</summary>
    Estimate,
}

/// <summary>Options of <c>cxdi bench</c>.</summary>
public sealed record BenchOptions : PluginOptions
{
    /// <summary>Largest pixel count of a measured shape (512³).</summary>
    private const long MaxPixels = 1L << 27;

    /// <summary>The algorithms <c>cxdi bench</c> knows, in the order they are measured.</summary>
    public static IReadOnlyList<string> KnownAlgorithms { get; } = ["fft-pair", "er", "hio", "raar", "support-update", "logo-recipe", "ml", "gps", "oss", "er-tv", "hio-tv", "hio-psf", "series"];

    /// <summary>The backends <c>cxdi bench</c> knows.</summary>
    public static IReadOnlyList<string> KnownBackends { get; } = ["fftw", "managed", "cuda"];

    /// <summary>Shapes to measure.</summary>
    [Description("Comma-separated shapes, 2D (512x512) or 3D (128x128x128), each axis 4 … 4096; time and memory grow with the pixel count (256x256x256 needs ~1 GiB and minutes).")]
    public string Sizes { get; init; } = "256x256,512x512,1024x1024,2048x2048,128x128x128,256x256x256";

    /// <summary>What to measure.</summary>
    [Description("Comma-separated measurements: fft-pair, er, hio, raar, support-update, ml, gps, oss, er-tv, hio-tv, hio-psf (per size), logo-recipe (the ESRF-logo recipe on the measured ID10 pattern: latency of one run and throughput of logo_runs runs), series (time-resolved series phasing: warm frames per second at series_size², not in the default list).")]
    public string Algorithms { get; init; } = "fft-pair,er,hio,raar,support-update,ml,gps,oss,er-tv,hio-tv,hio-psf,logo-recipe";

    /// <summary>FFT engines to measure.</summary>
    [Description("Comma-separated backends: fftw and managed (the CPU backend's FFT engines; fftw skipped with a message when libfftw3f is missing), cuda (the GPU plugin's cxdi.cuda, skipped with the reason where there is no GPU).")]
    public string Backends { get; init; } = "fftw,managed";

    /// <summary>Threads.</summary>
    [Description("CPU threads for every measurement, 0 = all cores.")]
    [Range(0, 4096)]
    public int Threads { get; init; }

    /// <summary>Repetitions.</summary>
    [Description("Timed repetitions per measurement (each ≥ 50 ms of cycles after a warm-up); the table shows the median. More repetitions are steadier on a busy machine, at proportional cost.")]
    [Range(1, 1000)]
    public int Reps { get; init; } = 7;

    /// <summary>FFTW planner.</summary>
    [Description("FFTW planner: measure (fastest transforms; the first run of a new shape plans for up to ~10 s, then the wisdom file is reused) or estimate (instant plans, slower transforms).")]
    public BenchPlanner Planner { get; init; } = BenchPlanner.Measure;

    /// <summary>JSON output file.</summary>
    [Description("Also write one JSON record per measurement (size, algorithm, backend, ms_per_cycle, floor_ms, ratio, …) to this file, atomically; empty = table only.")]
    public string? Json { get; init; }

    /// <summary>Runs of the logo throughput measurement.</summary>
    [Description("Runs of the logo-recipe-throughput row (runs side by side as cxdi.phase chooses automatically); the row reports wall seconds per run.")]
    [Range(1, 64)]
    public int LogoRuns { get; init; } = 4;

    /// <summary>Frames of the series row.</summary>
    [Description("Frames of the series row (simulated with the motion per frame of a 200-frame drifting and deforming series); more frames give a steadier frames/s.")]
    [Range(2, 100000)]
    public int SeriesFrames { get; init; } = 60;

    /// <summary>Frame size of the series row.</summary>
    [Description("Pixels per axis of the frames of the series row.")]
    [Unit("px")]
    [Range(32, 4096)]
    public int SeriesSize { get; init; } = 256;

    /// <summary>Shape of the peak-memory measurement.</summary>
    [Description("3D shape (e.g. 128x128x128) for a peak-resident-memory measurement of one cxdi.phase run on simulated data (Linux only); empty = skipped. Reported as (peak − baseline) / (8 B × voxels).")]
    public string? Memory { get; init; }

    /// <summary>Directory of the logo data.</summary>
    [Description("Directory holding logo5mu_20sec.edf and support_logo5mu_20sec.edf; empty = the first shared/data/esrf-logo-id10 found above the current directory or the program.")]
    public string? Data { get; init; }

    /// <summary>The parsed <see cref="Sizes"/>; throws <see cref="FormatException"/> naming the bad entry.</summary>
    internal IReadOnlyList<Shape> ParsedSizes => ParseShapes(Sizes, 2, 3);

    /// <summary>The parsed <see cref="Memory"/> shape, or null when not asked for.</summary>
    internal Shape? ParsedMemory => string.IsNullOrWhiteSpace(Memory) ? null : ParseShapes(Memory, 3, 3).Single();

    /// <summary>The parsed <see cref="Algorithms"/>.</summary>
    internal IReadOnlySet<string> ParsedAlgorithms => Split(Algorithms);

    /// <summary>The parsed <see cref="Backends"/>.</summary>
    internal IReadOnlySet<string> ParsedBackends => Split(Backends);

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        var problems = new List<OptionProblem>();
        Check(problems, nameof(Sizes), () => ParsedSizes.Count > 0 ? null : "give at least one shape such as 512x512");
        Check(problems, nameof(Memory), () => null, () => _ = ParsedMemory);
        CheckNames(problems, nameof(Algorithms), ParsedAlgorithms, KnownAlgorithms);
        CheckNames(problems, nameof(Backends), ParsedBackends, KnownBackends);
        return problems;
    }

    private static void Check(List<OptionProblem> problems, string key, Func<string?> rule, Action? parse = null)
    {
        try
        {
            parse?.Invoke();
            if (rule() is { } message)
            {
                problems.Add(new OptionProblem(key, message));
            }
        }
        catch (FormatException e)
        {
            problems.Add(new OptionProblem(key, e.Message));
        }
    }

    private static void CheckNames(List<OptionProblem> problems, string key, IReadOnlySet<string> names, IReadOnlyList<string> known)
    {
        if (names.Count == 0)
        {
            problems.Add(new OptionProblem(key, $"give at least one of {string.Join(",", known)}"));
        }
        else if (names.FirstOrDefault(n => !known.Contains(n)) is { } unknown)
        {
            problems.Add(new OptionProblem(key, $"unknown '{unknown}'; use a comma-separated subset of {string.Join(",", known)}"));
        }
    }

    private static HashSet<string> Split(string text) =>
        new(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()), StringComparer.Ordinal);

    private static List<Shape> ParseShapes(string text, int minDims, int maxDims)
    {
        var shapes = new List<Shape>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split('x', 'X');
            var dims = new int[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 4 || dims[i] > 4096)
                {
                    throw new FormatException($"'{entry}' is not a shape: write {(minDims == 3 ? "NzxNyxNx such as 128x128x128" : "NyxNx or NzxNyxNx such as 512x512")} with each axis 4 … 4096");
                }
            }

            if (dims.Length < minDims || dims.Length > maxDims)
            {
                throw new FormatException($"'{entry}' has {dims.Length} axes; write {(minDims == 3 ? "a 3D shape such as 128x128x128" : "a 2D or 3D shape such as 512x512 or 128x128x128")}");
            }

            if (dims.Aggregate(1L, (a, b) => a * b) > MaxPixels)
            {
                throw new FormatException($"'{entry}' has more than {MaxPixels} pixels; use a smaller shape (256x256x256 is the largest in the standard set)");
            }

            shapes.Add(Shape.FromDimensions(dims));
        }

        return shapes;
    }
}
