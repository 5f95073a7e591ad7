using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Phasing;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Phasing.Bench;

/// <summary>
/// <c>cxdi bench</c>: times FFT pairs, phasing cycles (ER, HIO, RAAR), the support update and the ESRF-logo recipe,
/// each phasing measurement next to its floor measured in the same run (FFT pair + one streaming memory pass), and
/// optionally the peak resident memory of one phasing run; prints a table and writes JSON records.
/// </summary>
[CxdiPlugin("cxdi.bench", "1.0.0", Description = "cxdi bench: ms per cycle, GB/s and ratio to the measured FFT + memory floor for ER/HIO/RAAR/support update, the ESRF-logo recipe, peak memory.")]
public sealed class BenchTool : ICliTool
{
    /// <inheritdoc />
    public Type OptionsType => typeof(BenchOptions);

    /// <inheritdoc />
    public string Command => "bench";

    /// <inheritdoc />
    public bool WritesOutput => false;

    /// <inheritdoc />
    public int Run(PluginOptions options, TextWriter output, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(output);
        var o = (BenchOptions)options;
        if (o.Validate().FirstOrDefault() is { } problem)
        {
            throw new InvalidInputException("--" + Kebab(problem.Key), problem.Message, "see cxdi bench --help");
        }

        var planner = o.Planner == BenchPlanner.Estimate ? "estimate" : "measure";
        var previous = Environment.GetEnvironmentVariable(FftPlanningSettings.Variable);
        var change = !string.Equals(FftPlanningSettings.Resolve(FftPlanning.Default) == FftPlanning.Estimate ? "estimate" : "measure", planner, StringComparison.Ordinal);
        if (change)
        {
            Environment.SetEnvironmentVariable(FftPlanningSettings.Variable, planner);
        }

        try
        {
            return new BenchRun(o, output, context).Execute();
        }
        finally
        {
            if (change)
            {
                Environment.SetEnvironmentVariable(FftPlanningSettings.Variable, previous);
            }
        }
    }

    /// <summary>SupportSigmaStart → support-sigma-start, as the host names command-line options.</summary>
    internal static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));
}

/// <summary>One <c>cxdi bench</c> invocation: the measurements, the table lines and the JSON file.</summary>
internal sealed class BenchRun
{
    private readonly BenchOptions options;
    private readonly TextWriter output;
    private readonly StepContext context;
    private readonly int threads;
    private readonly List<Result> results = [];
    private readonly List<(string Name, FftPreference Preference, Func<IComputeBackend>? Device)> backends = [];
    private int failures;

    public BenchRun(BenchOptions options, TextWriter output, StepContext context)
    {
        this.options = options;
        this.output = output;
        // The measured plugin calls get the host's cancellation and plugins but no progress sink: their per-cycle
        // lines would interleave with the table (and cost time inside the measurement).
        this.context = new StepContext
        {
            Cancellation = context.Cancellation,
            Plugins = context.Plugins,
            Backend = context.Backend,
            StepId = context.StepId,
            Logger = context.Logger,
        };
        threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
    }

    /// <summary>Runs every measurement asked for; 0 when all succeeded, 1 when one failed (the others still run).</summary>
    public int Execute()
    {
        var algorithms = options.ParsedAlgorithms;
        var wanted = options.ParsedBackends;
        output.WriteLine($"FFT here: {FftEngines.Describe()}");
        output.WriteLine($"threads {threads}, {options.Reps} repetitions, median of per-repetition means; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        output.WriteLine();
        output.WriteLine($"{"size",-22} {"algorithm",-22} {"backend",-8} {"ms/cycle",10} {"floor ms",9} {"ratio",6} {"GB/s",6}   detail");

        if (wanted.Contains("fftw"))
        {
            if (FftwEngine.IsAvailable(out var reason))
            {
                backends.Add(("fftw", FftPreference.Fftw, null));
            }
            else
            {
                output.WriteLine($"fftw skipped: {reason}");
            }
        }

        if (wanted.Contains("managed"))
        {
            backends.Add(("managed", FftPreference.Managed, null));
        }

        if (wanted.Contains("cuda"))
        {
            AddDevice("cuda", "cxdi.cuda");
        }

        // Memory first: the process has not yet touched (and kept resident) the buffers of the other measurements.
        if (options.ParsedMemory is { } memoryShape)
        {
            foreach (var (name, _, device) in backends)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                if (device is not null)
                {
                    output.WriteLine($"memory {memoryShape} {name} skipped: peak RSS measures host memory; the fft-pair rows give the device memory free");
                    continue;
                }

                Guard($"memory {memoryShape} {name}", () =>
                {
                    foreach (var row in MemoryPeak.Measure(memoryShape, name, threads, output))
                    {
                        Add(row);
                    }
                });
            }
        }

        if (algorithms.Any(a => a is not ("logo-recipe" or "series")))
        {
            foreach (var shape in options.ParsedSizes)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                Guard($"{shape}", () => RunShape(shape, algorithms));
            }
        }

        if (algorithms.Contains("logo-recipe"))
        {
            RunLogo();
        }

        if (algorithms.Contains("series"))
        {
            // The series bench phases on the CPU backends it names itself.
            foreach (var (name, _, _) in backends.Where(b => b.Device is null))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                Guard($"series {name}", () => Add(SeriesBench.Measure(name, threads, options.SeriesSize, options.SeriesFrames, context)));
            }
        }

        if (options.Json is { Length: > 0 } json)
        {
            WriteJson(json);
        }

        output.WriteLine($"load average at the end: {LoadAverage()}");
        return failures == 0 ? 0 : 1;
    }

    private void RunLogo()
    {
        if (context.Plugins is not { } plugins)
        {
            output.WriteLine("logo-recipe skipped: no plugin host to read the EDF files and flip/mask them (run it as cxdi bench)");
            return;
        }

        var directory = LogoRecipe.Find(options.Data);
        if (directory is null)
        {
            output.WriteLine(options.Data is { Length: > 0 } given
                ? $"logo-recipe skipped: {given} does not hold logo5mu_20sec.edf and support_logo5mu_20sec.edf"
                : $"logo-recipe skipped: no directory above {Environment.CurrentDirectory} or {AppContext.BaseDirectory} contains {LogoRecipe.DataDirectory} (give --data DIR)");
            return;
        }

        var recipe = new LogoRecipe(plugins, directory, context);
        foreach (var (name, _, _) in backends)
        {
            Guard($"logo-recipe {name}", () => Add(recipe.Latency(name, threads)));
            Guard($"logo-recipe-throughput {name}", () => Add(recipe.Throughput(name, threads, options.LogoRuns)));
        }
    }

    /// <summary>Adds a device backend of the host (<paramref name="id"/>) when it can be created here; otherwise says why it is skipped.</summary>
    private void AddDevice(string name, string id)
    {
        if (context.Plugins is not { } plugins)
        {
            output.WriteLine($"{name} skipped: no plugin host to load {id} (run it as cxdi bench)");
            return;
        }

        try
        {
            using var probe = plugins.CreateBackend(id);
            output.WriteLine($"{name}: {probe.Name} ({probe.FftName}), {probe.AvailableMemory >> 20} MiB free on the device");
            backends.Add((name, FftPreference.Auto, () => plugins.CreateBackend(id)));
        }
        catch (CxdiException e)
        {
            output.WriteLine($"{name} skipped: {e.OneLine}");
        }
    }

    private void Guard(string what, Action measurement)
    {
        try
        {
            measurement();
        }
        catch (Exception e) when (e is InvalidOperationException or CxdiException or OutOfMemoryException)
        {
            output.WriteLine($"FAILED {what}: {(e is CxdiException c ? c.OneLine : e.Message)}");
            failures++;
        }
    }

    private void RunShape(Shape shape, IReadOnlySet<string> algorithms)
    {
        var size = shape.ToString();
        var pixels = shape.Length;
        var floors = new Dictionary<BufferLayout, (Timing Time, string Name)>();
        (Timing Time, string Name) Floor(BufferLayout layout)
        {
            if (!floors.TryGetValue(layout, out var f))
            {
                using var floor = new MemoryFloor(layout, pixels, threads);
                f = (CycleTimer.TimeAction(floor.Pass, options.Reps), floor.Name);
                floors[layout] = f;
            }

            return f;
        }

        double? referencePair = null;
        foreach (var (name, preference, device) in backends)
        {
            using var bench = device is null ? PhasingBench.Create(shape, preference, threads) : PhasingBench.Create(shape, device());
            var backend = bench.Backend;
            var state = bench.State;
            var engine = state.Plan.Name;

            // A device backend queues its kernels: each timed call ends with a one-pixel reduction, which waits for the stream.
            using var syncMask = device is null ? null : backend.AllocateMask(Shape.Of(1, 1));
            Action sync = syncMask is null ? () => { } : () => backend.Count(syncMask);

            // FFT pair with the plan the phasing state uses, on a buffer of its own.
            var pair = TimePair(backend, state.Plan, shape, $"{name} fft-pair {size}", sync);
            referencePair ??= pair.Median;
            if (algorithms.Contains("fft-pair"))
            {
                var reference = referencePair.Value;
                var memoryNote = device is null ? "" : $"; {backend.AvailableMemory >> 20} MiB device memory free with the state allocated";
                Add(new Result(size, "fft-pair", name, R(pair.Median), R(reference), R(pair.Median / reference, 4), Gb(32 * pixels, pair.Median), R(pair.Min), R(pair.Median), null, $"{engine}; floor = the first backend's pair (FFTW when present); 32 B/px{memoryNote}"));
            }

            CycleRow("er", new ErOperator(), new ErRule(false, false), BufferLayout.ErrorReduction);
            CycleRow("hio", new HioOperator { Beta = 0.9f }, new HioRule(0.9f, false, false), BufferLayout.Feedback);
            CycleRow("raar", new RaarOperator { Beta = 0.75f }, new RaarRule(0.75f, false, false), BufferLayout.Feedback);

            void CycleRow<TRule>(string algorithm, PhasingOperator cycle, TRule rule, BufferLayout layout)
                where TRule : struct, IObjectUpdateRule
            {
                if (!algorithms.Contains(algorithm))
                {
                    return;
                }

                var time = CycleTimer.Time(new PreparedCycle(() => { cycle.Apply(state); sync(); }, new Resources(), engine, bench.Check), options.Reps, $"{name} {algorithm} {size}");
                var (memory, memoryName) = device is null ? Floor(layout) : (new Timing(0, 0), "none (device: floor = its FFT pair)");
                var floorMs = pair.Median + memory.Median;
                var splits = CycleSplits.Measure(state, rule);
                var bytes = (long)(layout.BytesPerPixel + 32) * pixels;
                Add(new Result(size, algorithm, name, R(time.Median), R(floorMs), R(time.Median / floorMs, 4), Gb(bytes, time.Median), R(time.Min), R(pair.Median), R(memory.Median),
                    $"{splits}; memory floor {memoryName} at {Gb(layout.BytesPerPixel * pixels, memory.Median):F1} GB/s; {engine}"));
            }

            // The noise-robust and partial-coherence operators: floor = the FFT pairs one cycle needs on average.
            var rank = shape.Rank == 3 ? 3 : 2;
            OperatorRow("ml", new MaximumLikelihoodOperator(), 1.05, "1 FFT pair per CG step (+1 FFT every 10 steps)");
            OperatorRow("gps", new GpsOperator(), 1.5, "3 FFTs per iteration");
            OperatorRow("oss", new OssOperator(), 2, "HIO + 2 FFTs for the outside-region filter");
            OperatorRow("er-tv", new ErTvOperator(), 1 + (2 * (1 + rank)), $"ER + 2 TV steps of {2 + (2 * rank)} FFTs");
            OperatorRow("hio-tv", new HioTvOperator(), 1 + (2 * (1 + rank)), $"HIO + 2 TV steps of {2 + (2 * rank)} FFTs");
            OperatorRow("hio-psf", new HioPsfOperator(), 2 + (3 * 2.0 / 5), "4 FFTs per cycle + 3 Richardson–Lucy iterations of 4 FFTs every 5 cycles");

            void OperatorRow(string algorithm, PhasingOperator op, double pairs, string detail)
            {
                if (!algorithms.Contains(algorithm))
                {
                    return;
                }

                var time = CycleTimer.Time(new PreparedCycle(() => op.Apply(state), new Resources(), engine, bench.Check), options.Reps, $"{name} {algorithm} {size}");
                var floorMs = pairs * pair.Median;
                Add(new Result(size, algorithm, name, R(time.Median), R(floorMs), R(time.Median / floorMs, 4), null, R(time.Min), R(pair.Median), null,
                    string.Create(CultureInfo.InvariantCulture, $"floor = {pairs:0.##} FFT pairs ({detail}); {engine}")));
                foreach (var item in state.Items.Values.OfType<IDisposable>())
                {
                    item.Dispose();
                }

                state.Items.Clear();
                state.SyncPrevious();
            }

            if (algorithms.Contains("support-update"))
            {
                state.SupportSettings = new SupportUpdateSettings { Threshold = 0.25f, SigmaStart = 2, SigmaEnd = 2, MinFraction = 0, MaxFraction = 1 };
                var update = new SupportUpdateOperator();
                var time = CycleTimer.Time(new PreparedCycle(() => { update.Apply(state); sync(); }, new Resources(), "σ 2 px, rms threshold 0.25", bench.Check), options.Reps, $"{name} support-update {size}");
                var (memory, memoryName) = device is null ? Floor(BufferLayout.SupportUpdate) : (pair, "the device's FFT pair");
                var splits = CycleSplits.MeasureSupport(state, 2f);
                Add(new Result(size, "support-update", name, R(time.Median), R(memory.Median), R(time.Median / memory.Median, 4), Gb(BufferLayout.SupportUpdate.BytesPerPixel * pixels, time.Median), R(time.Min), null, R(memory.Median),
                    $"σ 2 px, threshold 0.25 × rms in support; {splits}; memory floor {memoryName}; support {state.SupportSize} px"));
            }
        }
    }

    private Timing TimePair(IComputeBackend backend, FftPlan plan, Shape shape, string what, Action sync)
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
                    sync();
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
            options.Reps,
            what);
    }

    private void Add(Result result)
    {
        results.Add(result);
        var floor = result.FloorMs is { } f ? f.ToString("F2", CultureInfo.InvariantCulture) : "-";
        var ratio = result.Ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) : "-";
        var gb = result.GbPerS is { } g ? g.ToString("F1", CultureInfo.InvariantCulture) : "-";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Size,-22} {result.Algorithm,-22} {result.Backend,-8} {result.MsPerCycle,10:F2} {floor,9} {ratio,6} {gb,6}   {result.Detail}"));
    }

    private void WriteJson(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        var json = new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        File.WriteAllText(temporary, JsonSerializer.Serialize(results, json));
        File.Move(temporary, full, overwrite: true);
        output.WriteLine($"wrote {full}");
    }

    /// <summary><paramref name="value"/> to <paramref name="significant"/> significant digits (small shapes take microseconds).</summary>
    private static double R(double value, int significant = 5)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return value;
        }

        var decimals = significant - (int)Math.Ceiling(Math.Log10(Math.Abs(value)));
        return Math.Round(value, Math.Clamp(decimals, 0, 15));
    }

    private static double Gb(long bytes, double ms) => Math.Round(bytes / (ms * 1e6), 2);

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
