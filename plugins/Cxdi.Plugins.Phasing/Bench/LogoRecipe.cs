using System.Diagnostics;
using System.Globalization;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Phasing.Bench;

/// <summary>
/// examples/esrf-logo-id10.yaml as direct calls through the plugin resolver: read the measured ID10 pattern
/// (<c>esrf.edf</c>), flip y (<c>cxdi.flip</c>), mask the zeros within 50 px of the centre and 30 px of the edges
/// (<c>cxdi.mask.zeros</c>), start from the known footprint (<c>cxdi.support.file</c>: flipped, blurred σ 4 px,
/// threshold 0.2), then "ER**100 * (Sup * ER**5 * HIO**40)**20 * HIO**200" (support threshold 0.25, σ 2 → 0.5) in
/// this process.
/// </summary>
internal sealed class LogoRecipe
{
    /// <summary>Where the data live relative to a parent of the repository.</summary>
    public const string DataDirectory = "shared/data/esrf-logo-id10";

    private const string PatternFile = "logo5mu_20sec.edf";
    private const string SupportFile = "support_logo5mu_20sec.edf";
    private const string Recipe = "ER**100 * (Sup * ER**5 * HIO**40)**20 * HIO**200";

    private readonly IPluginResolver plugins;
    private readonly string directory;
    private readonly StepContext context;

    public LogoRecipe(IPluginResolver plugins, string directory, StepContext context)
    {
        this.plugins = plugins;
        this.directory = directory;
        this.context = context;
    }

    /// <summary>
    /// The data directory: <paramref name="given"/> when it holds both files (null otherwise), else the first
    /// <see cref="DataDirectory"/> found walking up from the current directory and from the program's directory.
    /// </summary>
    public static string? Find(string? given)
    {
        if (given is { Length: > 0 })
        {
            return HoldsData(given) ? Path.GetFullPath(given) : null;
        }

        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, DataDirectory);
                if (HoldsData(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>One run on all <paramref name="threads"/> (parallel_runs 1): seconds per run, i.e. the latency.</summary>
    public Result Latency(string backend, int threads)
    {
        var (data, prepare) = Prepare();
        var (set, seconds) = Reconstruct(data, backend, threads, runs: 1, parallelRuns: 1);
        var run = set.Runs[0];
        if (run.State != RunState.Kept)
        {
            throw new InvalidOperationException($"the logo run ended {run.State}: {run.Reason}");
        }

        var detail = string.Create(CultureInfo.InvariantCulture, $"s/run (ms_per_cycle = ms per run): 1 run, parallel_runs 1, {threads} threads, {set.Backend}; run engine {run.Seconds:F2} s, rest of reconstruct (selection, PRTF) {seconds - run.Seconds:F2} s; reading + preparing {prepare:F2} s; LLK {run.Llk:G4}, free LLK {run.FreeLlk:G4}, support {run.SupportSize} px, {100 * run.EnergyOutsideSupport:F1} % energy outside; kept");
        return new Result(data.Shape.ToString(), "logo-recipe", backend, Math.Round(seconds * 1000, 1), null, null, null, null, null, null, detail);
    }

    /// <summary><paramref name="runs"/> runs with parallel_runs automatic: wall seconds divided by the runs, i.e. the throughput.</summary>
    public Result Throughput(string backend, int threads, int runs)
    {
        var (data, prepare) = Prepare();
        var (set, seconds) = Reconstruct(data, backend, threads, runs, parallelRuns: 0);
        var finished = set.Runs.Count(r => r.State is RunState.Kept or RunState.Rejected);
        if (finished == 0)
        {
            throw new InvalidOperationException($"none of the {runs} logo runs finished: {set.Runs[0].State}: {set.Runs[0].Reason}");
        }

        var best = set.Runs.Where(r => r.State == RunState.Kept).OrderBy(r => r.FreeLlk).FirstOrDefault() ?? set.Runs.First(r => r.State == RunState.Rejected);
        var detail = string.Create(CultureInfo.InvariantCulture, $"wall s / run (ms_per_cycle = wall ms / runs): {runs} runs, parallel_runs 0 (automatic), {threads} threads, {set.Backend}; wall {seconds:F2} s; reading + preparing {prepare:F2} s; {set.Runs.Count(r => r.State == RunState.Kept)} kept, {set.Runs.Count(r => r.State == RunState.Rejected)} rejected, {runs - finished} failed; best kept: LLK {best.Llk:G4}, free LLK {best.FreeLlk:G4}, support {best.SupportSize} px, {100 * best.EnergyOutsideSupport:F1} % energy outside");
        return new Result(data.Shape.ToString(), "logo-recipe-throughput", backend, Math.Round(seconds * 1000 / runs, 1), null, null, null, null, null, null, detail);
    }

    private static bool HoldsData(string candidate) =>
        File.Exists(Path.Combine(candidate, PatternFile)) && File.Exists(Path.Combine(candidate, SupportFile));

    private static PhaseOptions Options(string backend, int threads, int runs, int parallelRuns) => new()
    {
        Operators = Recipe,
        Runs = runs,
        Keep = runs,
        Seed = 1,
        Threads = threads,
        ParallelRuns = parallelRuns,
        Backend = backend switch { "managed" => "cpu-managed", "cuda" => "cuda", _ => "cpu" },
        SupportThreshold = 0.25,
        SupportSigmaStart = 2,
        SupportSigmaEnd = 0.5,
        SupportThresholdReference = SupportThresholdReference.Rms,
    };

    private (ReconstructionSet Set, double Seconds) Reconstruct(DiffractionData data, string backend, int threads, int runs, int parallelRuns)
    {
        IPhaser phaser = new PhasePlugin();
        var watch = Stopwatch.StartNew();
        var set = phaser.Reconstruct(data, Options(backend, threads, runs, parallelRuns), context);
        return (set, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The recipe's preprocessing, each step resolved by id with its options as the workflow writes them.</summary>
    private (DiffractionData Data, double Seconds) Prepare()
    {
        var watch = Stopwatch.StartNew();
        var (reader, readerOptions) = plugins.Resolve<IDataReader>("esrf.edf");
        var data = reader.Read(new DataPath(Path.Combine(directory, PatternFile)), readerOptions, context);
        var (flip, flipOptions) = plugins.Resolve<IPreprocessor>("cxdi.flip", new Dictionary<string, object?> { ["axis"] = "y" });
        data = flip.Apply(data, flipOptions, context);
        var (zeros, zeroOptions) = plugins.Resolve<IPreprocessor>("cxdi.mask.zeros", new Dictionary<string, object?> { ["center_radius"] = 50, ["edge_width"] = 30 });
        data = zeros.Apply(data, zeroOptions, context);
        ISupportFinder support = new FileSupportFinder();
        var supportOptions = new FileSupportOptions
        {
            Path = Path.Combine(directory, SupportFile),
            Reader = "esrf.edf",
            FlipY = true,
            Sigma = 4,
            Threshold = 0.2,
        };
        data.InitialSupport = support.FindSupport(data, supportOptions, context);
        return (data, watch.Elapsed.TotalSeconds);
    }
}
