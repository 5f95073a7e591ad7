using System.Diagnostics;
using System.Globalization;
using Cxdi.Plugins.Formats.Edf;
using Cxdi.Plugins.Phasing.Engine;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Plugins.Preprocessing.Masks;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Bench;

/// <summary>
/// examples/esrf-logo-id10.yaml as direct calls: read the measured ID10 pattern, flip y, mask the zeros within 50 px of
/// the centre and 30 px of the edges, start from the known footprint (flipped, blurred σ 4 px, threshold 0.2), then one
/// run of "ER**100 * (Sup * ER**5 * HIO**40)**20 * HIO**200" (support threshold 0.25, σ 2 → 0.5) in this process.
/// </summary>
internal static class LogoRecipe
{
    private const string DataDirectory = "shared/data/esrf-logo-id10";

    /// <summary>Times the recipe on backend <paramref name="backend"/> (fftw or managed); null (with a message) when the data are absent.</summary>
    public static Result? Run(string backend, int threads)
    {
        var directory = Find();
        if (directory is null)
        {
            Console.WriteLine($"logo-recipe skipped: no directory above {AppContext.BaseDirectory} or {Environment.CurrentDirectory} contains {DataDirectory}");
            return null;
        }

        var context = StepContext.None;
        var watch = Stopwatch.StartNew();
        var reader = new EdfReader();
        IDataReader generic = reader;
        var data = generic.Read(new DataPath(Path.Combine(directory, "logo5mu_20sec.edf")), new EdfOptions(), context);
        IPreprocessor flip = new FlipStep();
        data = flip.Apply(data, new FlipOptions { Axis = ArrayAxis.Y }, context);
        IPreprocessor zeros = new ZeroMaskStep();
        data = zeros.Apply(data, new ZeroMaskOptions { CenterRadius = 50, EdgeWidth = 30 }, context);

        var supportFile = generic.Read(new DataPath(Path.Combine(directory, "support_logo5mu_20sec.edf")), new EdfOptions(), context);
        var shape = data.Shape;
        var footprint = new float[shape.Length];
        for (var y = 0; y < shape.Ny; y++)
        {
            for (var x = 0; x < shape.Nx; x++)
            {
                footprint[(y * shape.Nx) + x] = supportFile.Intensity[((shape.Ny - 1 - y) * shape.Nx) + x] > 0.2f ? 1f : 0f;
            }
        }

        ArrayTools.GaussianBlur(footprint, shape, 4);
        data.InitialSupport = footprint.Select(v => v > 0.2f ? (byte)1 : (byte)0).ToArray();
        var prepare = watch.Elapsed.TotalSeconds;

        var options = new PhaseOptions
        {
            Operators = "ER**100 * (Sup * ER**5 * HIO**40)**20 * HIO**200",
            Runs = 1,
            Keep = 1,
            Seed = 1,
            Threads = threads,
            ParallelRuns = 1,
            Backend = backend == "managed" ? "cpu-managed" : "cpu",
            SupportThreshold = 0.25,
            SupportSigmaStart = 2,
            SupportSigmaEnd = 0.5,
        };
        IPhaser phaser = new PhasePlugin();
        watch.Restart();
        var set = phaser.Reconstruct(data, options, context);
        var seconds = watch.Elapsed.TotalSeconds;
        var run = set.Runs[0];
        if (run.State != RunState.Kept)
        {
            throw new InvalidOperationException($"the logo run ended {run.State}: {run.Reason}");
        }

        var detail = string.Create(CultureInfo.InvariantCulture, $"s/run (ms_per_cycle = ms per run): 1 run, {threads} threads, {set.Backend}; run engine {run.Seconds:F2} s, rest of reconstruct (selection, PRTF) {seconds - run.Seconds:F2} s; reading + preparing {prepare:F2} s; LLK {run.Llk:G4}, free LLK {run.FreeLlk:G4}, support {run.SupportSize} px, {100 * run.EnergyOutsideSupport:F1} % energy outside");
        return new Result(shape.ToString(), "logo-recipe", backend, Math.Round(seconds * 1000, 1), null, null, null, null, null, null, detail);
    }

    private static string? Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, DataDirectory);
                if (Directory.Exists(candidate) && File.Exists(Path.Combine(candidate, "logo5mu_20sec.edf")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
