using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cxdi.Bench;
using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Plugins.Preprocessing.Assembly;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

// Times FFT pairs, phasing cycles (ER, HIO, RAAR), the support update, the ESRF-logo recipe and the 3D assembly,
// each phasing measurement next to its floor measured in the same run (FFT pair + one streaming memory pass).
var options = BenchOptions.Parse(args);
if (options is null)
{
    return 2;
}

Environment.SetEnvironmentVariable(FftPlanningSettings.Variable, options.Planning == FftPlanning.Estimate ? "estimate" : "measure");
Console.WriteLine($"FFT here: {FftEngines.Describe()}");
Console.WriteLine($"threads {options.Threads}, {options.Repetitions} repetitions, median of per-repetition means; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
Console.WriteLine();
Console.WriteLine($"{"size",-22} {"algorithm",-14} {"backend",-8} {"ms/cycle",10} {"floor ms",9} {"ratio",6} {"GB/s",6}   detail");

var results = new List<Result>();
var failures = 0;
var fftw = FftwEngine.IsAvailable(out var fftwReason);
if (!fftw && options.Backends.Contains("fftw"))
{
    Console.WriteLine($"fftw skipped: {fftwReason}");
}

var backends = new List<(string Name, FftPreference Preference)>();
if (fftw && options.Backends.Contains("fftw"))
{
    backends.Add(("fftw", FftPreference.Fftw));
}

if (options.Backends.Contains("managed"))
{
    backends.Add(("managed", FftPreference.Managed));
}

foreach (var shape in options.Shapes)
{
    try
    {
        RunShape(shape);
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"FAILED {shape}: {e.Message}");
        failures++;
    }
}

if (options.Algorithms.Contains("logo-recipe"))
{
    foreach (var (name, _) in backends)
    {
        try
        {
            if (LogoRecipe.Run(name, options.Threads) is { } logo)
            {
                Add(logo);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Cxdi.Sdk.Errors.CxdiException)
        {
            Console.Error.WriteLine($"FAILED logo-recipe {name}: {e.Message}");
            failures++;
        }
    }
}

if (options.Assembly)
{
    var assembly = AssemblyBenchmark.Run(181, 512, 256, options.Threads);
    Add(new Result("181x512x512->256^3", "assemble", "cpu", Math.Round(assembly.Seconds * 1000, 1), null, null, null, null, null, null, assembly.ToString()));
}

if (options.JsonPath is not null)
{
    var full = Path.GetFullPath(options.JsonPath);
    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
    var temporary = full + ".tmp";
    var json = new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    File.WriteAllText(temporary, JsonSerializer.Serialize(results, json));
    File.Move(temporary, full, overwrite: true);
    Console.WriteLine($"wrote {full}");
}

Console.WriteLine($"load average at the end: {LoadAverage()}");
return failures == 0 ? 0 : 1;

void RunShape(Shape shape)
{
    var size = shape.ToString();
    var pixels = shape.Length;
    var floors = new Dictionary<BufferLayout, (Timing Time, string Name)>();
    (Timing Time, string Name) Floor(BufferLayout layout)
    {
        if (!floors.TryGetValue(layout, out var f))
        {
            using var floor = new MemoryFloor(layout, pixels, options.Threads);
            f = (CycleTimer.TimeAction(floor.Pass, options.Repetitions), floor.Name);
            floors[layout] = f;
        }

        return f;
    }

    double? referencePair = null;
    foreach (var (name, preference) in backends)
    {
        using var bench = PhasingBench.Create(shape, preference, options.Threads);
        var backend = bench.Backend;
        var state = bench.State;
        var engine = state.Plan.Name;

        // FFT pair with the plan the phasing state uses, on a buffer of its own.
        var pair = TimePair(backend, state.Plan, shape, $"{name} fft-pair {size}");
        referencePair ??= pair.Median;
        if (options.Algorithms.Contains("fft-pair"))
        {
            var reference = referencePair.Value;
            Add(new Result(size, "fft-pair", name, R(pair.Median), R(reference), R(pair.Median / reference, 3), Gb(32 * pixels, pair.Median), R(pair.Min), R(pair.Median), null, $"{engine}; floor = the first backend's pair (FFTW when present); 32 B/px"));
        }

        foreach (var (algorithm, kind, beta, layout) in new[]
        {
            ("er", ObjectUpdateKind.ErrorReduction, 0f, BufferLayout.ErrorReduction),
            ("hio", ObjectUpdateKind.HybridInputOutput, 0.9f, BufferLayout.Feedback),
            ("raar", ObjectUpdateKind.Raar, 0.75f, BufferLayout.Feedback),
        })
        {
            if (!options.Algorithms.Contains(algorithm))
            {
                continue;
            }

            var cycle = new CycleOperator(kind, beta, algorithm.ToUpperInvariant());
            var time = CycleTimer.Time(new PreparedCycle(() => cycle.Apply(state), new Resources(), engine, bench.Check), options.Repetitions, $"{name} {algorithm} {size}");
            var (memory, memoryName) = Floor(layout);
            var floorMs = pair.Median + memory.Median;
            var splits = CycleSplits.Measure(state, kind, beta);
            var bytes = (long)(layout.BytesPerPixel + 32) * pixels;
            Add(new Result(size, algorithm, name, R(time.Median), R(floorMs), R(time.Median / floorMs, 3), Gb(bytes, time.Median), R(time.Min), R(pair.Median), R(memory.Median),
                $"{splits}; memory floor {memoryName} at {Gb(layout.BytesPerPixel * pixels, memory.Median):F1} GB/s; {engine}"));
        }

        if (options.Algorithms.Contains("support-update"))
        {
            state.SupportSettings = new SupportUpdateSettings { Threshold = 0.25f, SigmaStart = 2, SigmaEnd = 2, MinFraction = 0, MaxFraction = 1 };
            var update = new SupportUpdateOperator();
            var time = CycleTimer.Time(new PreparedCycle(() => update.Apply(state), new Resources(), "σ 2 px, rms threshold 0.25", bench.Check), options.Repetitions, $"{name} support-update {size}");
            var (memory, memoryName) = Floor(BufferLayout.SupportUpdate);
            var splits = CycleSplits.MeasureSupport(state, 2f);
            Add(new Result(size, "support-update", name, R(time.Median), R(memory.Median), R(time.Median / memory.Median, 3), Gb(BufferLayout.SupportUpdate.BytesPerPixel * pixels, time.Median), R(time.Min), null, R(memory.Median),
                $"σ 2 px, threshold 0.25 × rms in support; {splits}; memory floor {memoryName}; support {state.SupportSize} px"));
        }
    }
}

Timing TimePair(IComputeBackend backend, FftPlan plan, Shape shape, string what)
{
    using var buffer = backend.AllocateComplex(shape);
    var random = new Random(1);
    var original = new Complex32[shape.Length];
    for (var i = 0; i < original.Length; i++)
    {
        original[i] = new Complex32(random.NextSingle() - 0.5f, random.NextSingle() - 0.5f);
    }

    backend.Upload(original, buffer);
    return CycleTimer.Time(
        new PreparedCycle(
            () =>
            {
                backend.Fft(plan, buffer, FftDirection.Forward);
                backend.Fft(plan, buffer, FftDirection.Inverse);
            },
            new Resources(),
            plan.Name,
            () =>
            {
                // One more pair from the original data (rounding drift over thousands of timed pairs is not an error).
                backend.Upload(original, buffer);
                backend.Fft(plan, buffer, FftDirection.Forward);
                backend.Fft(plan, buffer, FftDirection.Inverse);
                var now = new Complex32[original.Length];
                backend.Download(buffer, now);
                double error = 0, norm = 0;
                for (var i = 0; i < now.Length; i++)
                {
                    error += (now[i] - original[i]).Norm2;
                    norm += original[i].Norm2;
                }

                var relative = Math.Sqrt(error / norm);
                return relative <= 1e-5 ? null : $"a forward + inverse pair changes the data by {relative:E2} (relative L2)";
            }),
        options.Repetitions,
        what);
}

void Add(Result result)
{
    results.Add(result);
    var floor = result.FloorMs is { } f ? f.ToString("F2", CultureInfo.InvariantCulture) : "-";
    var ratio = result.Ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) : "-";
    var gb = result.GbPerS is { } g ? g.ToString("F1", CultureInfo.InvariantCulture) : "-";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Size,-22} {result.Algorithm,-14} {result.Backend,-8} {result.MsPerCycle,10:F2} {floor,9} {ratio,6} {gb,6}   {result.Detail}"));
}

static double R(double value, int digits = 4) => Math.Round(value, digits);

static double Gb(long bytes, double ms) => Math.Round(bytes / (ms * 1e6), 2);

static string LoadAverage()
{
    try
    {
        return File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => $"{a} {b}");
    }
    catch (IOException)
    {
        return "unknown";
    }
}

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions(
    IReadOnlyList<Shape> Shapes,
    int Threads,
    int Repetitions,
    IReadOnlySet<string> Backends,
    IReadOnlySet<string> Algorithms,
    FftPlanning Planning,
    bool Assembly,
    string? JsonPath)
{
    private const string Usage = "usage: Cxdi.Bench [--json FILE] [--sizes 512x512,128x128x128] [--algorithms fft-pair,er,hio,raar,support-update,logo-recipe] [--threads N] [--reps N] [--backends fftw,managed] [--planner measure|estimate] [--assembly]";

    private static readonly string[] AllAlgorithms = ["fft-pair", "er", "hio", "raar", "support-update", "logo-recipe"];

    public static BenchOptions? Parse(string[] args)
    {
        try
        {
            return ParseOrThrow(args);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            Console.Error.WriteLine($"bad argument: {e.Message}; {Usage}");
            return null;
        }
    }

    private static BenchOptions? ParseOrThrow(string[] args)
    {
        Shape[] shapes = [Shape.Of(256, 256), Shape.Of(512, 512), Shape.Of(1024, 1024), Shape.Of(2048, 2048), Shape.Of(128, 128, 128), Shape.Of(256, 256, 256)];
        int threads = Environment.ProcessorCount, repetitions = 7;
        var backends = new HashSet<string> { "fftw", "managed" };
        var algorithms = new HashSet<string>(AllAlgorithms);
        var planning = FftPlanning.Measure;
        var assembly = false;
        string? json = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--json":
                    json = value;
                    i++;
                    break;
                case "--sizes":
                    shapes = value.Split(',', StringSplitOptions.RemoveEmptyEntries)
                        .Select(s => Shape.FromDimensions(s.Split('x').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToArray()))
                        .ToArray();
                    i++;
                    break;
                case "--algorithms":
                    algorithms = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries)];
                    if (algorithms.FirstOrDefault(a => !AllAlgorithms.Contains(a)) is { } unknown)
                    {
                        throw new ArgumentException($"unknown algorithm '{unknown}' (known: {string.Join(",", AllAlgorithms)})");
                    }

                    i++;
                    break;
                case "--threads":
                    threads = int.Parse(value, CultureInfo.InvariantCulture);
                    threads = threads > 0 ? threads : Environment.ProcessorCount;
                    i++;
                    break;
                case "--reps":
                    repetitions = Math.Max(1, int.Parse(value, CultureInfo.InvariantCulture));
                    i++;
                    break;
                case "--backends":
                    backends = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries)];
                    i++;
                    break;
                case "--planner":
                    planning = value == "estimate" ? FftPlanning.Estimate : FftPlanning.Measure;
                    i++;
                    break;
                case "--assembly":
                    assembly = true;
                    break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'; {Usage}");
                    return null;
            }
        }

        return new BenchOptions(shapes, threads, repetitions, backends, algorithms, planning, assembly, json);
    }
}
