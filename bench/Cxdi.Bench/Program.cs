using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Cxdi.Bench;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Sdk.Data;

// Times FFT pairs (forward + inverse, in place) for FFTW and the managed engine; more measurements join the list.
// Usage: Cxdi.Bench [--json FILE] [--sizes 512x512,128x128x128] [--threads N] [--reps N] [--backends fftw,managed] [--planner measure|estimate]
var options = BenchOptions.Parse(args);
if (options is null)
{
    return 2;
}

Console.WriteLine($"FFT here: {FftEngines.Describe()}");
Console.WriteLine($"threads {options.Threads}, {options.Repetitions} repetitions, median of per-repetition means");

var measurements = new List<Measurement>();
foreach (Shape shape in options.Shapes)
{
    if (options.Backends.Contains("fftw") && FftwEngine.IsAvailable(out _))
    {
        measurements.Add(FftPair(shape, "fftw", () => new FftwEngine(shape, options.Threads, options.Planning), reference: null));
    }

    if (options.Backends.Contains("managed"))
    {
        measurements.Add(FftPair(shape, "managed", () => new ManagedFftEngine(shape, options.Threads), reference: "fftw"));
    }
}

var results = new List<Result>();
int failures = 0;
Console.WriteLine();
Console.WriteLine($"{"size",-14} {"algorithm",-10} {"backend",-8} {"ms/cycle",10} {"floor ms",10} {"ratio",7}");
foreach (Measurement measurement in measurements)
{
    double median, floor;
    string detail;
    try
    {
        (median, floor, detail) = Time(measurement, options.Repetitions);
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"FAILED {e.Message}");
        failures++;
        continue;
    }

    double? ratio = null;
    if (measurement.Reference is not null)
    {
        Result? reference = results.FirstOrDefault(r => r.Size == measurement.Size && r.Algorithm == measurement.Algorithm && r.Backend == measurement.Reference);
        ratio = reference is null ? null : median / reference.MsPerCycle;
    }
    else
    {
        ratio = 1.0;
    }

    var result = new Result(measurement.Size, measurement.Algorithm, measurement.Backend, Math.Round(median, 4), Math.Round(floor, 4), ratio is null ? null : Math.Round(ratio.Value, 3), detail);
    results.Add(result);
    string ratioText = ratio is null ? "-" : ratio.Value.ToString("F2", CultureInfo.InvariantCulture);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Size,-14} {result.Algorithm,-10} {result.Backend,-8} {median,10:F2} {floor,10:F2} {ratioText,7}   {detail}"));
}

if (options.JsonPath is not null)
{
    string full = Path.GetFullPath(options.JsonPath);
    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
    string temporary = full + ".tmp";
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

return failures == 0 ? 0 : 1;

static Measurement FftPair(Shape shape, string backend, Func<IFftEngine> create, string? reference) =>
    new(shape.ToString(), "fft-pair", backend, () =>
    {
        IFftEngine engine = create();
        var buffer = new AlignedComplexBuffer(shape);
        var random = new Random(1);
        Span<Complex32> span = buffer.Span;
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = new Complex32(random.NextSingle() - 0.5f, random.NextSingle() - 0.5f);
        }

        Complex32[] original = span.ToArray();
        return new PreparedCycle(
            () =>
            {
                engine.Forward(buffer.Span);
                engine.Inverse(buffer.Span);
            },
            new Resources(engine, buffer),
            engine.Name,
            () =>
            {
                // One more pair from the original data (rounding drift over thousands of timed pairs is not an error).
                original.CopyTo(buffer.Span);
                engine.Forward(buffer.Span);
                engine.Inverse(buffer.Span);
                double error = 0, norm = 0;
                ReadOnlySpan<Complex32> now = buffer.Span;
                for (int i = 0; i < now.Length; i++)
                {
                    error += (now[i] - original[i]).Norm2;
                    norm += original[i].Norm2;
                }

                double relative = Math.Sqrt(error / norm);
                return relative <= 1e-5 ? null : $"a forward + inverse pair changes the data by {relative:E2} (relative L2)";
            });
    }, reference);

static (double Median, double Floor, string Detail) Time(Measurement measurement, int repetitions)
{
    PreparedCycle prepared = measurement.Prepare();
    using IDisposable resources = prepared.Resources;

    // Warm-up (JIT tiers, caches, thread pool) and a calibration so each repetition lasts at least ~50 ms.
    var watch = Stopwatch.StartNew();
    int warm = 0;
    while (warm < 3 || watch.Elapsed.TotalMilliseconds < 300)
    {
        prepared.Cycle();
        warm++;
    }

    double estimate = watch.Elapsed.TotalMilliseconds / warm;
    int cycles = Math.Max(1, (int)Math.Ceiling(50 / estimate));
    var samples = new double[repetitions];
    for (int r = 0; r < repetitions; r++)
    {
        watch.Restart();
        for (int c = 0; c < cycles; c++)
        {
            prepared.Cycle();
        }

        samples[r] = watch.Elapsed.TotalMilliseconds / cycles;
    }

    if (prepared.Check() is { } problem)
    {
        throw new InvalidOperationException($"{measurement.Backend} {measurement.Algorithm} {measurement.Size}: {problem}");
    }

    Array.Sort(samples);
    double median = repetitions % 2 == 1 ? samples[repetitions / 2] : (samples[(repetitions / 2) - 1] + samples[repetitions / 2]) / 2;
    return (median, samples[0], prepared.Detail);
}

/// <summary>Disposes several resources together.</summary>
internal sealed class Resources(params IDisposable[] items) : IDisposable
{
    public void Dispose()
    {
        foreach (IDisposable item in items)
        {
            item.Dispose();
        }
    }
}

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions(IReadOnlyList<Shape> Shapes, int Threads, int Repetitions, IReadOnlySet<string> Backends, FftPlanning Planning, string? JsonPath)
{
    private const string Usage = "usage: Cxdi.Bench [--json FILE] [--sizes 512x512,128x128x128] [--threads N] [--reps N] [--backends fftw,managed] [--planner measure|estimate]";

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
        FftPlanning planning = FftPlanning.Measure;
        string? json = null;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : "";
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
                case "--threads":
                    threads = int.Parse(value, CultureInfo.InvariantCulture);
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
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'; {Usage}");
                    return null;
            }
        }

        return new BenchOptions(shapes, threads, repetitions, backends, planning, json);
    }
}
