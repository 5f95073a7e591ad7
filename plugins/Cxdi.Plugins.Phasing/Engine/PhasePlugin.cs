using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Plugins.Phasing.Support;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Phasing;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.Extensions.Logging;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>
/// Phase retrieval with many random starts: each run applies the operator program to its own state on the compute
/// backend; runs are ranked by free log-likelihood, the best are aligned (ramp, twin, sub-pixel shift, global phase) and
/// averaged, and the PRTF is computed from the average.
/// </summary>
[CxdiPlugin("cxdi.phase", "1.0.0", Description = "Iterative phase retrieval (ER/HIO/RAAR/DM/CF with shrink-wrap), many random starts ranked by free log-likelihood, aligned and averaged, with PRTF.")]
public sealed partial class PhasePlugin : PhaserBase<PhaseOptions>
{
    /// <inheritdoc />
    protected override DataSpec Plan(DataSpec input, PhaseOptions options)
    {
        var output = base.Plan(input, options);
        if (input.Shape.Length > 0 && PreparedData.TooSmall(input.Shape))
        {
            throw new WorkflowShapeException(
                $"cxdi.phase needs at least {PreparedData.MinimumSize} pixels along every axis, its input is {input.Shape}",
                "phase a larger array: crop or bin less, or sum a frame stack into one pattern (cxdi.frames.sum)");
        }

        return output;
    }

    /// <inheritdoc />
    protected override ReconstructionSet Reconstruct(DiffractionData data, PhaseOptions options, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (options.Search.Count > 0)
        {
            // Parameter search (ParameterSearch.cs): short runs per candidate scored by free LLK, then the runs with the best.
            var (chosen, search) = ParameterSearch.Run(data, options, context, Reconstruct);
            var searched = Reconstruct(data, chosen, context);
            if (searched.Findings.TryGetValue("cxdi.phase", out var found) && found is Dictionary<string, object> phaseFindings)
            {
                phaseFindings["search"] = search;
            }

            return searched;
        }

        var program = BuiltInOperators.Parse(context.Plugins?.Operators ?? BuiltInOperators.Registry, options.Operators, (float)options.Beta, (float)options.RaarBeta);
        using var backend = Backends.Create(options.Backend ?? context.Backend, context, options.Threads);
        var totalThreads = Lanes.Threads(backend) == 1 ? 1 : options.Threads > 0 ? options.Threads : Lanes.Threads(backend);
        // Raw counts (after a denoiser) and the ranges of unknown pixels are shared arrays too: 4 and 8 bytes per pixel.
        var extraShared = (data.RawIntensity is null ? 0 : 4) + (options.UnknownBounds == UnknownBounds.Soft && data.LowerBound is not null ? 8 : 0);
        var maxLanes = MaxLanes(data.Shape, options, totalThreads, backend.AvailableMemory, extraShared);
        var prepared = PreparedData.Create(data, options.FreeFraction, options.Seed, options.Centering, backend, options.UnknownBounds == UnknownBounds.Soft);
        var bounded = prepared.Bounded;
        // The autocorrelation (beamstop filled) serves the starting support and the collapse check: computed once, if needed.
        var autocorrelation = new Lazy<float[]>(() => Autocorrelation.Amplitude(data, backend));
        var support = options.MergeOnly ? [] : InitialSupport(data, options, autocorrelation);
        var (indices, recipe) = Distribute(data, options); // runs_slice / runs_dir / merge_only: PhasePlugin.Distributed.cs
        var coverage = options.SupportMinCoverage > 0 ? SupportCoverage.Measure(data.Shape, autocorrelation.Value) : null;
        var coverages = new System.Collections.Concurrent.ConcurrentDictionary<int, double>();
        using var observations = Observations.Upload(backend, prepared);
        prepared.ReleaseArrays();
        RunEngine.ReturnGarbage(data.Shape);
        string how;
        int parallel;
        if (options.MergeOnly)
        {
            parallel = 1;
            how = "merge_only: runs read from runs_dir";
        }
        else if (options.ParallelRuns > 0)
        {
            parallel = maxLanes;
            how = "parallel_runs";
        }
        else
        {
            var decision = ParallelismProbe.Choose(backend, data.Shape, totalThreads, maxLanes, observations, support);
            parallel = decision.Lanes;
            how = decision.Candidate > 1 ? decision.Describe() : "one run at a time: threads, runs or memory allow no more";
        }

        var threadsPerRun = Math.Max(1, totalThreads / parallel);
        context.Logger.LogInformation("phasing {Shape}: {Runs} runs, {Parallel} at a time with {Threads} thread(s) each ({How}), backend {Backend} ({Fft})", data.Shape, options.Runs, parallel, threadsPerRun, how, backend.Name, backend.FftName);

        var settings = new RunSettings
        {
            Program = program,
            Support = new SupportUpdateSettings
            {
                Threshold = (float)options.SupportThreshold,
                SigmaStart = (float)options.SupportSigmaStart,
                SigmaEnd = (float)options.SigmaEndCandidates[0],
                RelativeToMax = options.SupportThresholdReference == SupportThresholdReference.Max,
                MinFraction = options.SupportMinFraction,
                MaxFraction = options.SupportMaxFraction,
            },
            Positivity = options.Positivity,
            Real = options.Real,
            MetricEvery = options.MetricEvery,
            InitAmplitudeMin = (float)options.InitAmplitudeMin,
            InitPhaseRange = options.MergeOnly ? (float)(options.InitPhaseRange ?? 0) : StartPhaseRange(options, support, data.Shape),
            DetwinCycles = options.DetwinCycles,
            DetwinBeta = (float)options.Beta,
            RawCycles = options.RawCycles,
        };

        var outputLock = new object();
        var cancelled = false;
        var generations = options.MergeOnly ? 1 : options.Generations ?? (StartsFromAutocorrelation(data, options) ? 2 : 1);
        var generationFindings = new List<Dictionary<string, object>>();
        var sigmaEnds = options.SigmaEndCandidates; // run i ends its shrink-wrap at sigmaEnds[i % count]
        for (var generation = 1; generation < generations && !cancelled; generation++)
        {
            // An earlier generation: every run, none written; its best run's support starts the next generation.
            var (explored, exploredCoverages) = RunGeneration(Enumerable.Range(0, options.Runs).ToArray(), support, settings, options.Runs * generation, $"generation {generation} of {generations}: ", null);
            var best = BestRun(explored, exploredCoverages, options);
            var record = new Dictionary<string, object>
            {
                ["generation"] = generation,
                ["free_llk"] = explored.Select(r => r is { State: RunState.Finished } ? Math.Round(r.FreeLlk, 4) : double.NaN).ToArray(),
                ["support_size"] = explored.Select(r => r?.SupportSize ?? 0).ToArray(),
                ["support_sigma_end"] = explored.Select((_, i) => sigmaEnds[i % sigmaEnds.Count]).ToArray(),
            };
            generationFindings.Add(record);
            if (best is null)
            {
                record["best"] = "none: no run kept its support and energy; the next generation starts from the same support";
                continue;
            }

            support = NextGenerationSupport(best.Support, data.Shape, options);
            var chosenSigma = sigmaEnds[best.Index % sigmaEnds.Count];
            sigmaEnds = [chosenSigma];
            record["best_support_sigma_end"] = chosenSigma;
            record["best_seed"] = best.Seed;
            record["best_free_llk"] = Math.Round(best.FreeLlk, 4);
            record["next_support_size"] = ArrayTools.Count(support);
            settings = settings with
            {
                InitPhaseRange = StartPhaseRange(options, support, data.Shape),
                Support = settings.Support with { SigmaEnd = (float)chosenSigma },
            };
            Report(context, $"generation {generation} of {generations}: best run seed {best.Seed}, free LLK {best.FreeLlk:G4}, support {best.SupportSize} → next start {record["next_support_size"]} px", null, options.Runs, null);
        }

        var (runs, _) = RunGeneration(indices, support, settings, 0, generations > 1 ? $"generation {generations} of {generations}: " : "", coverages);

        (Reconstruction[], System.Collections.Concurrent.ConcurrentDictionary<int, double>) RunGeneration(int[] which, byte[] start, RunSettings runSettings, long seedOffset, string label, System.Collections.Concurrent.ConcurrentDictionary<int, double>? final)
        {
            var runs = new Reconstruction[options.Runs];
            var covered = final ?? new System.Collections.Concurrent.ConcurrentDictionary<int, double>();
            var write = final is not null;
            var next = -1;
            void Worker()
            {
                using var lane = parallel == 1 && threadsPerRun == Lanes.Threads(backend) ? null : Lanes.Fork(backend, threadsPerRun);
                var device = lane ?? backend;
                int index, k;
                while ((k = Interlocked.Increment(ref next)) < which.Length)
                {
                    index = which[k];
                    if (context.Cancellation.IsCancellationRequested)
                    {
                        runs[index] = new Reconstruction { Index = index, Seed = options.Seed + seedOffset + index, Shape = data.Shape, State = RunState.Cancelled, Reason = "cancelled before it started" };
                        cancelled = true;
                        continue;
                    }

                    var run = RunWithRetries(device, observations, start, runSettings, options, index, seedOffset, (float)sigmaEnds[index % sigmaEnds.Count], label, program.Cycles, context, coverage, covered);
                    runs[index] = run;
                    if (run.State == RunState.Cancelled)
                    {
                        cancelled = true;
                        continue;
                    }

                    if (!write)
                    {
                        continue;
                    }

                    if (run.State != RunState.Failed && context.Output is { } output)
                    {
                        lock (outputLock)
                        {
                            var item = new ReconstructionSet { Shape = data.Shape, Runs = [run], Geometry = data.Geometry, Backend = $"{backend.Name} ({device.FftName})", Provenance = data.Provenance };
                            run.Files.AddRange(output.Write(item, $"run_{index:D2}"));
                        }
                    }

                    SaveRun(options, run, recipe, context);
                }
            }

            if (parallel == 1)
            {
                Worker();
            }
            else
            {
                var threads = Enumerable.Range(0, parallel).Select(_ => new Thread(Worker) { IsBackground = true }).ToArray();
                foreach (var t in threads)
                {
                    t.Start();
                }

                foreach (var t in threads)
                {
                    t.Join();
                }
            }

            return (runs, covered);
        }

        if (cancelled)
        {
            throw new OperationCanceledException("phasing cancelled; finished runs were written", context.Cancellation);
        }

        if (options.MergeOnly)
        {
            runs = LoadRuns(data, options, recipe, context);
        }

        var result = new ReconstructionSet
        {
            Shape = data.Shape,
            Runs = [.. runs.Where(r => r is not null)],
            Geometry = data.Geometry,
            Data = data,
            Backend = $"{backend.Name} ({backend.FftName})",
            Provenance = data.Provenance,
            PixelSize = PixelSize(data),
        };
        if (options.RunsSlice is { Length: > 0 })
        {
            return SliceResult(result, options, context);
        }

        if (coverage is not null)
        {
            // Runs read back by a merge were checked where they ran; the same numbers again, so the merge decides alike.
            foreach (var run in result.Runs.Where(r => r.State == RunState.Finished && !coverages.ContainsKey(r.Index)))
            {
                coverages[run.Index] = coverage.Coverage(run.Support, backend);
            }
        }

        SelectAndAverage(result, prepared, observations, options, backend, coverages);
        if (result.Findings.TryGetValue("cxdi.phase", out var findings) && findings is Dictionary<string, object> phase)
        {
            if (options.FscPixelHalves)
            {
                phase["fsc_half_pixels"] = HalfPixelFsc(result, data, options, settings, support, autocorrelation, observations, backend, context);
            }

            phase["parallel_runs"] = parallel;
            phase["threads_per_run"] = threadsPerRun;
            phase["parallel_choice"] = how;
            if (generationFindings.Count > 0)
            {
                phase["generations"] = generationFindings;
            }

            phase["llk_counts"] = observations.RawAmplitude is null ? "data" : "raw";
            phase["raw_cycles"] = observations.RawAmplitude is null ? 0 : settings.ResolvedRawCycles;
            phase["bounded_unknown_pixels"] = bounded;
            if (data.GroundTruth is { } truth && truth.LongLength == data.Shape.Length && result.Average is { } average)
            {
                // Simulated data carry the true object: the known-answer figures of the average and of every kept run.
                phase["error_to_truth"] = Canonicalizer.ErrorToTruth(truth, average, data.Shape, backend);
                phase["run_error_to_truth"] = result.Runs.Where(r => r.State == RunState.Kept).Select(r => Canonicalizer.ErrorToTruth(truth, r.Object, data.Shape, backend)).ToArray();
            }
        }
        foreach (var run in result.Runs)
        {
            var why = run.State == RunState.Rejected && run.Reason is { } reason ? $": {reason}" : "";
            Report(context, $"run {run.Index:D2}: {run.State.ToString().ToLowerInvariant()}{why}", run.Index, options.Runs, run.State, run);
        }

        Report(context, $"{result.Runs.Count(r => r.State == RunState.Kept)} run(s) kept of {options.Runs}", null, options.Runs, null);
        return result;
    }

    /// <summary>
    /// The pixel-halves FSC (<see cref="PixelHalves"/>) on the whole backend, after the main runs: sets it on
    /// <paramref name="set"/> and returns its findings. A merge has no starting support yet: it makes it as a full run does.
    /// </summary>
    private static Dictionary<string, object> HalfPixelFsc(ReconstructionSet set, DiffractionData data, PhaseOptions options, RunSettings settings, byte[] support, Lazy<float[]> autocorrelation, Observations observations, IComputeBackend backend, StepContext context)
    {
        // Both halves start from the best kept run's support (blurred as a next generation's start) and end their
        // shrink-wrap at one σ: what a full run and a merge of its saved runs both know, so they measure alike.
        var best = set.Runs.Where(r => r.State == RunState.Kept && r.Support.Length == data.Shape.Length).OrderBy(r => r.FreeLlk != 0 ? r.FreeLlk : r.Llk).ThenBy(r => r.Index).FirstOrDefault();
        support = best is not null ? NextGenerationSupport(best.Support, data.Shape, options) : support.Length > 0 ? support : InitialSupport(data, options, autocorrelation);
        settings = settings with
        {
            InitPhaseRange = StartPhaseRange(options, support, data.Shape),
            Support = settings.Support with { SigmaEnd = (float)(options.SupportSigmaEnd ?? AverageSupportSigma) },
        };

        var (amplitude, classes) = observations.Download(backend);
        Report(context, $"fsc_pixel_halves: phasing two halves of the measured pixels, {options.FscPixelHalvesRuns} run(s) each", null, options.Runs, null);
        var result = PixelHalves.Measure(backend, amplitude, classes, data.Shape, support, settings, options.Seed, options.FscPixelHalvesRuns, options.MaxOutsideEnergy, context, message => Report(context, message, null, options.Runs, null));
        set.FscHalfPixels = result.Curve;
        set.FscHalfPixelsCutoff = result.Cutoff;
        context.Logger.LogInformation("fsc_pixel_halves: FSC cut-off {Cutoff} of Nyquist ({Seconds} s)", result.Cutoff?.ToString("F3", System.Globalization.CultureInfo.InvariantCulture) ?? "none (above 1/7 up to Nyquist)", result.Findings["seconds"]);
        return result.Findings;
    }

    /// <summary>
    /// The most runs that may go side by side: parallel_runs when set, else as many as threads and runs allow; both capped
    /// by memory. Refuses up front (<see cref="InsufficientMemoryForRunException"/>) what cannot fit. A run holds the
    /// object and the previous object (2 complex arrays), its support, and briefly the host copy of its starting object;
    /// all runs share the observed amplitudes and pixel classes (plus <paramref name="extraSharedBytesPerPixel"/>: raw
    /// amplitudes, ranges); every finished run keeps its object and support, and the average, its transform and the two
    /// uncertainty maps (a float per pixel each) are made at the end.
    /// </summary>
    internal static int MaxLanes(Shape shape, PhaseOptions options, int totalThreads, long available, long extraSharedBytesPerPixel = 0)
    {
        var parallel = options.ParallelRuns > 0 ? options.ParallelRuns : Math.Min(totalThreads, options.Runs);
        parallel = Math.Max(1, Math.Min(parallel, options.Runs));
        var complexBytes = shape.Length * 8;
        var perRun = (3 * complexBytes) + shape.Length;
        var shared = ((13 + extraSharedBytesPerPixel) * shape.Length) + (2 * complexBytes) + ((long)options.Runs * (complexBytes + shape.Length));
        if (shared + perRun > available)
        {
            throw new InsufficientMemoryForRunException(shared + perRun, available, $"phasing a {shape} array ({options.Runs} runs)");
        }

        if (shared + (parallel * perRun) > available)
        {
            if (options.ParallelRuns > 0)
            {
                throw new InsufficientMemoryForRunException(shared + (parallel * perRun), available, $"{parallel} parallel runs of a {shape} array");
            }

            parallel = (int)Math.Max(1, (available - shared) / perRun);
        }

        return parallel;
    }

    private static Reconstruction RunWithRetries(IComputeBackend device, Observations observations, byte[] support, RunSettings settings, PhaseOptions options, int index, long seedOffset, float sigmaEnd, string label, int cycles, StepContext context, SupportCoverage? coverage, System.Collections.Concurrent.ConcurrentDictionary<int, double> coverages)
    {
        var seed = options.Seed + seedOffset + index;
        var threshold = (float)options.SupportThreshold;
        var notes = new List<string>();
        for (var attempt = 0; ; attempt++)
        {
            Report(context, $"{label}run {index:D2}: started (support threshold {threshold:G3})", index, options.Runs, RunState.Running);
            try
            {
                var attemptSettings = settings with { Support = settings.Support with { Threshold = threshold, SigmaEnd = sigmaEnd } };
                var run = RunEngine.Run(device, observations, support, attemptSettings, index, seed, state => AfterCycle(state, index, label, cycles + options.DetwinCycles, options, context));
                if (coverage is not null)
                {
                    var covered = coverage.Coverage(run.Support, device);
                    coverages[index] = covered;
                    if (covered < options.SupportMinCoverage && attempt < options.SupportRetries)
                    {
                        notes.Add($"attempt {attempt + 1}: support collapsed to {run.SupportSize} px (its autocorrelation covers {100 * covered:F0} % of the measured one's); threshold {threshold:G3} → {threshold * 0.8f:G3}");
                        threshold = Math.Clamp(threshold * 0.8f, 1e-6f, 0.99f);
                        continue;
                    }
                }

                run.State = RunState.Finished;
                if (notes.Count > 0)
                {
                    run.Reason = string.Join("; ", notes);
                }

                Report(context, $"{label}run {index:D2}: finished in {run.Seconds:F2} s, LLK {run.Llk:G4}, free LLK {run.FreeLlk:G4}, support {run.SupportSize}", index, options.Runs, RunState.Finished, run);
                return run;
            }
            catch (SupportException e) when (attempt < options.SupportRetries)
            {
                var factor = e is SupportTooSmallException ? 0.8f : 1.25f;
                notes.Add($"attempt {attempt + 1}: {e.Message}; threshold {threshold:G3} → {threshold * factor:G3}");
                threshold = Math.Clamp(threshold * factor, 1e-6f, 0.99f);
            }
            catch (OperationCanceledException)
            {
                Report(context, $"{label}run {index:D2}: cancelled", index, options.Runs, RunState.Cancelled);
                return new Reconstruction { Index = index, Seed = seed, Shape = observations.Shape, State = RunState.Cancelled, Reason = "cancelled" };
            }
            catch (CxdiException e)
            {
                notes.Add(e.OneLine);
                Report(context, $"{label}run {index:D2}: failed: {e.OneLine}", index, options.Runs, RunState.Failed);
                return new Reconstruction { Index = index, Seed = seed, Shape = observations.Shape, State = RunState.Failed, Reason = string.Join("; ", notes) };
            }
        }
    }

    private static void AfterCycle(PhasingState state, int index, string label, int cycles, PhaseOptions options, StepContext context)
    {
        if (state.Cycle % options.ProgressEvery != 0 && state.Cycle != cycles)
        {
            return;
        }

        context.Cancellation.ThrowIfCancellationRequested();
        var m = state.LastMetrics;
        context.Progress.Report(new ProgressReport(context.StepId, $"{label}run {index:D2}: cycle {state.Cycle}/{cycles}")
        {
            Run = index,
            RunCount = options.Runs,
            Cycle = state.Cycle,
            CycleCount = cycles,
            Llk = m.Count > 0 ? m.Llk : null,
            FreeLlk = m.FreeCount > 0 ? m.FreeLlk : null,
            SupportSize = state.SupportSize,
            State = RunState.Running,
            Fraction = (double)state.Cycle / Math.Max(1, cycles),
        });
    }

    private static void Report(StepContext context, string message, int? run, int runs, RunState? state, Reconstruction? result = null) =>
        context.Progress.Report(new ProgressReport(context.StepId, message)
        {
            Run = run,
            RunCount = runs,
            State = state,
            Llk = result?.Llk,
            FreeLlk = result?.FreeLlk,
            SupportSize = result?.SupportSize,
        });

    /// <summary>init_phase_range, or when automatic 2π for a centrosymmetric start without a real/positivity constraint (it breaks the twin symmetry), else 0.</summary>
    private static float StartPhaseRange(PhaseOptions options, byte[] support, Shape shape) =>
        (float)(options.InitPhaseRange ?? (!options.Positivity && !options.Real && ArrayTools.IsCentrosymmetric(support, shape) ? 2 * Math.PI : 0));

    /// <summary>True when the runs start from the autocorrelation: an ab-initio start that a second generation tightens.</summary>
    private static bool StartsFromAutocorrelation(DiffractionData data, PhaseOptions options) =>
        options.Support == InitialSupportSource.Autocorrelation || (options.Support == InitialSupportSource.Auto && data.InitialSupport is null);

    /// <summary>
    /// The run that starts the next generation: the lowest free log-likelihood (log-likelihood when none is held out)
    /// among the finished runs that kept their support (collapse check) and their energy inside it; null when none did.
    /// </summary>
    private static Reconstruction? BestRun(Reconstruction[] runs, IReadOnlyDictionary<int, double> coverages, PhaseOptions options) =>
        runs.Where(r => r is { State: RunState.Finished }
                && r.EnergyOutsideSupport <= options.MaxOutsideEnergy
                && (options.SupportMinCoverage <= 0 || !coverages.TryGetValue(r.Index, out var c) || c >= options.SupportMinCoverage))
            .OrderBy(r => r.FreeLlk != 0 ? r.FreeLlk : r.Llk)
            .ThenBy(r => r.Index)
            .FirstOrDefault();

    /// <summary>The best run's support blurred by generation_sigma and thresholded at generation_threshold of its maximum.</summary>
    internal static byte[] NextGenerationSupport(byte[] best, Shape shape, PhaseOptions options)
    {
        var blurred = new float[best.Length];
        for (var i = 0; i < best.Length; i++)
        {
            blurred[i] = best[i] != 0 ? 1 : 0;
        }

        ArrayTools.GaussianBlur(blurred, shape, options.GenerationSigma);
        var level = (float)(options.GenerationThreshold * blurred.Max());
        var support = new byte[best.Length];
        for (var i = 0; i < best.Length; i++)
        {
            support[i] = blurred[i] >= level && level > 0 ? (byte)1 : (byte)0;
        }

        return support;
    }

    private static byte[] InitialSupport(DiffractionData data, PhaseOptions options, Lazy<float[]> autocorrelation)
    {
        var shape = data.Shape;
        var minDim = shape.Is3D ? Math.Min(shape.Nz, Math.Min(shape.Ny, shape.Nx)) : Math.Min(shape.Ny, shape.Nx);
        var size = options.SupportSize > 0 ? options.SupportSize : minDim / 2.0;
        byte[] support = options.Support switch
        {
            InitialSupportSource.Circle => ArrayTools.Disc(shape, size / 2),
            InitialSupportSource.Square => ArrayTools.Square(shape, size),
            InitialSupportSource.Autocorrelation => ArrayTools.AutocorrelationSupport(autocorrelation.Value, shape, options.AutocorrelationThreshold, options.AutocorrelationSigma),
            _ => data.InitialSupport ?? ArrayTools.AutocorrelationSupport(autocorrelation.Value, shape, options.AutocorrelationThreshold, options.AutocorrelationSigma),
        };

        if (support.LongLength != shape.Length)
        {
            throw new InvalidInputException("initial support", $"holds {support.LongLength} pixels but the data are {shape}", "make the support with the same shape as the data");
        }

        var count = ArrayTools.Count(support);
        if (count == 0)
        {
            throw new SupportTooSmallException(0, shape.Length, options.SupportMinFraction);
        }

        return support;
    }

    private static double? PixelSize(DiffractionData data)
    {
        var g = data.Geometry;
        if (g.Wavelength is { } l && g.DetectorDistance is { } d && g.PixelSizeX is { } p && p > 0)
        {
            return l * d / (data.Shape.Nx * p);
        }

        return null;
    }

    private static void SelectAndAverage(ReconstructionSet set, PreparedData prepared, Observations observations, PhaseOptions options, IComputeBackend backend, IReadOnlyDictionary<int, double> coverages)
    {
        var useFree = prepared.HeldOut > 0;
        var candidates = new List<Reconstruction>();
        foreach (var run in set.Runs.Where(r => r.State == RunState.Finished))
        {
            run.State = RunState.Rejected;
            if (coverages.TryGetValue(run.Index, out var covered) && covered < options.SupportMinCoverage)
            {
                run.Reason = Join(run.Reason, $"support collapsed: its autocorrelation covers {100 * covered:F0} % of the measured one's (min {100 * options.SupportMinCoverage:F0} %)");
                continue;
            }

            if (run.EnergyOutsideSupport > options.MaxOutsideEnergy)
            {
                run.Reason = Join(run.Reason, $"{100 * run.EnergyOutsideSupport:F1} % of the energy outside the support (max {100 * options.MaxOutsideEnergy:F1} %)");
                continue;
            }

            candidates.Add(run);
        }

        if (candidates.Count == 0)
        {
            var why = set.Runs.Select(r => r.Reason).FirstOrDefault(r => r is not null) ?? "no run finished";
            throw new PhasingFailedException($"none of the {set.Runs.Count} runs produced a usable object: {why}", "check the mask and the support settings, or try more runs");
        }

        var ranked = candidates.OrderBy(r => useFree ? r.FreeLlk : r.Llk).ThenBy(r => r.Index).ToList();
        var kept = ranked.Take(options.Keep).ToList();
        foreach (var run in ranked.Skip(options.Keep))
        {
            run.Reason = Join(run.Reason, $"{(useFree ? "free " : "")}LLK rank {ranked.IndexOf(run) + 1} of {ranked.Count}, outside the best {options.Keep}");
        }

        var shape = set.Shape;
        var reference = kept[0].Object;
        var referenceSpectrum = kept.Count > 1 ? Canonicalizer.Spectrum(reference, shape, backend) : [];
        var average = new Complex32[shape.Length];
        foreach (var run in kept)
        {
            run.State = RunState.Kept;
            if (!ReferenceEquals(run, kept[0]))
            {
                var alignment = Canonicalizer.Align(reference, referenceSpectrum, run.Object, shape, backend);
                run.Object = alignment.Aligned;
                if (alignment.Twin)
                {
                    run.Support = ArrayTools.PointInvert<byte>(run.Support, shape);
                }

                run.Support = ArrayTools.Shift<byte>(run.Support, shape, (int)Math.Round(alignment.Shift[0]), (int)Math.Round(alignment.Shift[1]), (int)Math.Round(alignment.Shift[2]));
            }

            run.RMatch = Canonicalizer.RMatch(reference, run.Object);
            for (var i = 0; i < shape.Length; i++)
            {
                average[i] += run.Object[i];
            }
        }

        var scale = 1f / kept.Count;
        for (var i = 0; i < average.Length; i++)
        {
            average[i] = scale * average[i];
        }

        set.Average = average;
        var (halfFsc, halfCutoff) = kept.Count >= 2 ? HalfSetFsc(kept, shape, backend) : (null, null);
        var spread = Spread(kept, average);
        var firstMode = FirstModeWeight(kept);

        set.AverageSupport = AverageSupport(average, shape, options);
        set.FscHalfRuns = halfFsc;
        set.FscHalfRunsCutoff = halfCutoff;
        object uncertaintyMap = "needs keep >= 2";
        if (kept.Count >= 2)
        {
            var (amplitudeSpread, phaseSpread) = EnsembleSpread.Map([.. kept.Select(r => r.Object)], average, set.AverageSupport);
            set.AmplitudeUncertainty = amplitudeSpread;
            set.PhaseUncertainty = phaseSpread;
            uncertaintyMap = EnsembleSpread.Summary(amplitudeSpread, phaseSpread, average, set.AverageSupport);
        }

        // The PRTF compares the average with what was measured: the raw counts when a denoiser left them.
        var (amplitude, classes) = observations.Download(backend, raw: true);
        var (curve, cutoff) = Canonicalizer.Prtf((Complex32[])average.Clone(), shape, amplitude, classes, backend);
        set.Prtf = curve;
        set.PrtfCutoff = cutoff;
        set.Findings["cxdi.phase"] = new Dictionary<string, object>
        {
            ["kept"] = kept.Select(r => r.Index).ToArray(),
            ["r_match"] = kept.Select(r => r.RMatch ?? 0).ToArray(),
            ["prtf_cutoff"] = cutoff ?? double.NaN, // written as null; prtf_notes says why
            ["prtf_notes"] = Canonicalizer.PrtfNotes(curve, cutoff).ToArray(),
            ["held_out_pixels"] = prepared.HeldOut,
            ["measured_pixels"] = prepared.Measured,
            ["zero_frequency_pixel"] = prepared.Centre,
            ["fsc_half_runs"] = halfFsc is null ? "needs keep >= 2" : new Dictionary<string, object> { ["frequency"] = halfFsc.Frequency.Select(f => Math.Round(f, 4)).ToArray(), ["fsc"] = halfFsc.Value.Select(v => Math.Round(v, 4)).ToArray(), ["cutoff"] = halfCutoff ?? double.NaN },
            ["uncertainty_relative"] = spread,
            ["uncertainty_map"] = uncertaintyMap,
            ["first_mode_weight"] = firstMode,
            ["support_coverage"] = set.Runs.Select(r => coverages.TryGetValue(r.Index, out var c) ? Math.Round(c, 3) : double.NaN).ToArray(),
            ["zero_frequency"] = prepared.SubPixelCentre.Select(c => Math.Round(c, 2)).ToArray(),
        };
    }

    /// <summary>FSC between the averages of the kept runs of even and of odd rank (aligned already): a resolution from the ensemble alone.</summary>
    private static (FrequencyCurve? Curve, double? Cutoff) HalfSetFsc(List<Reconstruction> kept, Shape shape, IComputeBackend backend)
    {
        var halves = new[] { new Complex32[shape.Length], new Complex32[shape.Length] };
        for (var k = 0; k < kept.Count; k++)
        {
            var target = halves[k % 2];
            var source = kept[k].Object;
            for (var i = 0; i < target.Length; i++)
            {
                target[i] += source[i];
            }
        }

        var (curve, cutoff) = Canonicalizer.Fsc(halves[0], halves[1], shape, backend);
        return (curve, cutoff);
    }

    /// <summary>
    /// The spread of the aligned kept runs about their average, relative to it: √(Σ_runs Σ_px |run − average|² / (runs Σ_px |average|²)),
    /// 0 for a single run; the per-pixel uncertainty summed over the object.
    /// </summary>
    private static double Spread(List<Reconstruction> kept, Complex32[] average)
    {
        double deviation = 0, norm = 0;
        foreach (var run in kept)
        {
            for (var i = 0; i < average.Length; i++)
            {
                deviation += (run.Object[i] - average[i]).Norm2;
            }
        }

        foreach (var z in average)
        {
            norm += z.Norm2;
        }

        return norm > 0 ? Math.Round(Math.Sqrt(deviation / (kept.Count * norm)), 5) : 0;
    }

    /// <summary>
    /// Mode decomposition of the aligned kept runs: the share of their summed intensity Σ‖run‖² carried by the first
    /// eigenvector of their Gram matrix G_ij = Σ conj(run_i)·run_j (power iteration; G is Hermitian and positive). 1 when
    /// the runs are one object; 1/k for k unrelated ones.
    /// </summary>
    internal static double FirstModeWeight(IReadOnlyList<Reconstruction> kept)
    {
        var k = kept.Count;
        var gram = new System.Numerics.Complex[k, k];
        double trace = 0;
        for (var i = 0; i < k; i++)
        {
            for (var j = i; j < k; j++)
            {
                double re = 0, im = 0;
                var a = kept[i].Object;
                var b = kept[j].Object;
                for (var p = 0; p < a.Length; p++)
                {
                    re += (a[p].Re * b[p].Re) + (a[p].Im * b[p].Im);
                    im += (a[p].Re * b[p].Im) - (a[p].Im * b[p].Re);
                }

                gram[i, j] = new System.Numerics.Complex(re, im);
                gram[j, i] = System.Numerics.Complex.Conjugate(gram[i, j]);
            }

            trace += gram[i, i].Real;
        }

        if (!(trace > 0))
        {
            return 0;
        }

        var v = Enumerable.Repeat(new System.Numerics.Complex(1 / Math.Sqrt(k), 0), k).ToArray();
        double lambda = 0;
        for (var iteration = 0; iteration < 500; iteration++)
        {
            var w = new System.Numerics.Complex[k];
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++)
                {
                    w[i] += gram[i, j] * v[j];
                }
            }

            var norm = Math.Sqrt(w.Sum(z => z.Magnitude * z.Magnitude));
            if (!(norm > 0))
            {
                return 0;
            }

            var converged = Math.Abs(norm - lambda) <= 1e-12 * norm;
            lambda = norm;
            v = [.. w.Select(z => z / norm)];
            if (converged)
            {
                break;
            }
        }

        return Math.Round(lambda / trace, 5);
    }

    /// <summary>σ (px) of the average's support when support_sigma_end is automatic: the same in a run and in a merge, which does not know the runs' σ.</summary>
    private const double AverageSupportSigma = 1.0;

    private static byte[] AverageSupport(Complex32[] average, Shape shape, PhaseOptions options)
    {
        var amplitude = average.Select(z => z.Abs).ToArray();
        ArrayTools.GaussianBlur(amplitude, shape, options.SupportSigmaEnd ?? AverageSupportSigma);
        var max = amplitude.Max();
        return amplitude.Select(a => a >= (float)options.SupportThreshold * max && max > 0 ? (byte)1 : (byte)0).ToArray();
    }

    private static string Join(string? a, string b) => string.IsNullOrEmpty(a) ? b : $"{a}; {b}";
}
