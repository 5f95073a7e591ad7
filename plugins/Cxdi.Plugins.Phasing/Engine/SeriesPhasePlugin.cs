using System.Diagnostics;
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
/// Time-resolved phasing: a stack of 2D patterns (frames along the first axis) phased frame by frame. The first frame of a
/// block (minus its overlap) is phased ab initio with the full recipe from several random starts; every later frame starts
/// from the previous frame's object and (slightly dilated) support and runs a short recipe. The result is one
/// reconstruction set whose object is the stack of frame objects (frames × ny × nx) and whose runs are the frames, with
/// per-frame metrics (LLK, free LLK, support, R_match to the previous frame, error to the truth when known) in the findings.
/// </summary>
[CxdiPlugin("cxdi.phase.series", "1.0.0", Description = "Time-resolved series phasing: a stack of 2D frames, the first phased ab initio, each later frame warm-started from the previous one with a short recipe; blocks with overlap for splitting across tasks.")]
public sealed class SeriesPhasePlugin : PhaserBase<SeriesPhaseOptions>
{
    /// <summary>Key of the per-frame findings in the set (and in summary.json).</summary>
    public const string FindingsKey = "cxdi.phase.series";

    /// <inheritdoc />
    public override bool TakesFrameStack => true;

    /// <inheritdoc />
    protected override DataSpec Plan(DataSpec input, SeriesPhaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        WorkflowShapeException.ThrowUnlessDetector(input);
        if (input.Shape.Length == 0)
        {
            return new DataSpec(DataSpace.Object, input.Shape, IsComplex: true);
        }

        CheckStack(input.Shape, "its input");
        var frames = SeriesFrames.Resolve(input.Shape.Nz, options, "the input");
        return new DataSpec(DataSpace.Object, Shape.Of(frames.BlockCount, input.Shape.Ny, input.Shape.Nx), IsComplex: true);
    }

    /// <inheritdoc />
    protected override ReconstructionSet Reconstruct(DiffractionData data, SeriesPhaseOptions options, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        var source = data.Provenance.Sources.Count > 0 ? data.Provenance.Sources[^1].Path : "the input";
        CheckStack(data.Shape, source);
        var frames = SeriesFrames.Resolve(data.Shape.Nz, options, source);
        var registry = context.Plugins?.Operators ?? BuiltInOperators.Registry;
        var full = BuiltInOperators.Parse(registry, options.Operators, (float)options.Beta, (float)options.RaarBeta);
        var warm = BuiltInOperators.Parse(registry, options.WarmOperators, (float)options.Beta, (float)options.RaarBeta);
        using var backend = Backends.Create(options.Backend ?? context.Backend, context, options.Threads);
        context.Logger.LogInformation(
            "series: frames {From}-{To} written, phased from frame {Phase} ({Lead} overlap), backend {Backend} ({Fft})",
            frames.BlockStart, frames.BlockStart + frames.BlockCount - 1, frames.PhaseFrom, frames.Lead, backend.Name, backend.FftName);
        var result = new SeriesEngine(data, options, frames, full, warm, backend, context).Run();
        result.Backend = $"{backend.Name} ({backend.FftName})";
        return result;
    }

    private static void CheckStack(Shape shape, string source)
    {
        if (!shape.Is3D)
        {
            throw new WorkflowShapeException(
                $"cxdi.phase.series needs a stack of 2D frames (a 3D array, frames along the first axis) but {source} is one {shape} frame",
                "phase a single pattern with cxdi.phase, or read a stack (e.g. without sum_frames)");
        }

        if (shape.Ny < PreparedData.MinimumSize || shape.Nx < PreparedData.MinimumSize)
        {
            throw new WorkflowShapeException($"cxdi.phase.series needs frames of at least {PreparedData.MinimumSize}x{PreparedData.MinimumSize} pixels, {source} has {shape.Ny}x{shape.Nx}", "bin less or crop less");
        }
    }
}

/// <summary>The frame loop of <see cref="SeriesPhasePlugin"/>: one phasing state reused from frame to frame on one backend.</summary>
internal sealed class SeriesEngine(DiffractionData data, SeriesPhaseOptions options, SeriesFrames frames, PhasingOperator full, PhasingOperator warm, IComputeBackend backend, StepContext context)
{
    private readonly Shape frameShape = Shape.Of(data.Shape.Ny, data.Shape.Nx);

    private int FramePixels => (int)frameShape.Length;

    public ReconstructionSet Run()
    {
        var geometry = CentredGeometry();
        var phased = frames.BlockStart + frames.BlockCount - frames.PhaseFrom;
        var outputs = new List<Reconstruction>(frames.BlockCount);
        var objects = new Complex32[(long)frames.BlockCount * FramePixels];
        var supports = new byte[(long)frames.BlockCount * FramePixels];
        var loop = Stopwatch.StartNew();
        double warmSeconds = 0, abInitioSeconds = 0;
        var warmFrames = 0;
        Complex32[]? previous = null;
        byte[]? previousSupport = null;
        using var amplitude = backend.AllocateReal(frameShape);
        using var classes = backend.AllocateMask(frameShape);
        using var state = new PhasingState(backend, frameShape, amplitude, classes)
        {
            Positivity = options.Positivity,
            MetricEvery = options.MetricEvery,
        };
        long heldOut = 0, measured = 0;
        for (var k = 0; k < phased; k++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var t = frames.PhaseFrom + k;
            var frame = Frame(t, geometry);
            var prepared = PreparedData.Create(frame, options.FreeFraction, options.Seed, PatternCentering.Beam);
            heldOut = prepared.HeldOut;
            measured = prepared.Measured;
            var watch = Stopwatch.StartNew();
            Reconstruction run;
            if (previous is null)
            {
                run = AbInitio(frame, prepared, t);
                backend.Upload(run.Object, state.Object);
                backend.Upload(run.Support, state.Support);
                backend.Upload(prepared.Amplitude, amplitude);
                backend.Upload(prepared.Classes, classes);
                state.CountSupport();
                var metrics = state.EvaluateMetrics();
                run.Llk = metrics.Llk;
                run.FreeLlk = metrics.FreeLlk;
                run.Chi2 = metrics.Chi2;
                previous = PhaseReferenced(run.Object, null);
            }
            else
            {
                backend.Upload(prepared.Amplitude, amplitude);
                backend.Upload(prepared.Classes, classes);
                run = Warm(state, previous, previousSupport!, t);
                run.Seconds = watch.Elapsed.TotalSeconds;
                var aligned = PhaseReferenced(run.Object, previous);
                run.RMatch = Canonicalizer.RMatch(previous, aligned);
                previous = aligned;
                warmSeconds += run.Seconds;
                warmFrames++;
            }

            run.Seconds = watch.Elapsed.TotalSeconds;
            if (k == 0)
            {
                abInitioSeconds = run.Seconds;
            }

            previousSupport = run.Support;
            run.Object = [];
            if (t >= frames.BlockStart)
            {
                var slot = t - frames.BlockStart;
                Array.Copy(previous, 0, objects, (long)slot * FramePixels, FramePixels);
                Array.Copy(previousSupport, 0, supports, (long)slot * FramePixels, FramePixels);
                run.Support = [];
                outputs.Add(run);
            }

            context.Progress.Report(new ProgressReport(context.StepId, $"frame {t}: {(k == 0 ? "ab initio" : "warm")} in {run.Seconds:F3} s, LLK {run.Llk:G4}, free LLK {run.FreeLlk:G4}, support {run.SupportSize}")
            {
                Run = k,
                RunCount = phased,
                Llk = run.Llk,
                FreeLlk = run.FreeLlk,
                SupportSize = run.SupportSize,
                State = RunState.Kept,
                Fraction = (k + 1.0) / phased,
            });
        }

        var loopSeconds = loop.Elapsed.TotalSeconds;
        var set = new ReconstructionSet
        {
            Shape = Shape.Of(frames.BlockCount, frameShape.Ny, frameShape.Nx),
            Runs = outputs,
            Average = objects,
            AverageSupport = supports,
            Geometry = data.Geometry,
            Data = data,
            Provenance = data.Provenance,
            PixelSize = PixelSize(),
        };

        var findings = new Dictionary<string, object>
        {
            ["frames"] = outputs.Select(r => r.Index).ToArray(),
            ["llk"] = outputs.Select(r => r.Llk).ToArray(),
            ["free_llk"] = outputs.Select(r => r.FreeLlk).ToArray(),
            ["support_size"] = outputs.Select(r => r.SupportSize).ToArray(),
            ["r_match_previous"] = outputs.Select(r => r.RMatch ?? double.NaN).ToArray(), // NaN (null in JSON): no previous frame
            ["seconds"] = outputs.Select(r => Math.Round(r.Seconds, 4)).ToArray(),
            ["range"] = new[] { frames.RangeStart, frames.RangeCount },
            ["block"] = new[] { frames.BlockStart, frames.BlockCount },
            ["phased_from"] = frames.PhaseFrom,
            ["overlap_frames"] = frames.Lead,
            ["ab_initio_seconds"] = Math.Round(abInitioSeconds, 3),
            ["warm_frames"] = warmFrames,
            ["warm_seconds_per_frame"] = warmFrames > 0 ? Math.Round(warmSeconds / warmFrames, 5) : double.NaN,
            ["warm_frames_per_second"] = warmSeconds > 0 ? Math.Round(warmFrames / warmSeconds, 2) : double.NaN,
            ["frames_per_second"] = loopSeconds > 0 ? Math.Round(phased / loopSeconds, 2) : double.NaN,
            ["warm_operators"] = options.WarmOperators,
            ["operators"] = options.Operators,
            ["held_out_pixels"] = heldOut,
            ["measured_pixels"] = measured,
            ["zero_frequency_pixel"] = new[] { (int)Math.Round(geometry.BeamCenterY ?? 0), (int)Math.Round(geometry.BeamCenterX ?? 0) },
        };

        if (options.ErrorToTruth && data.GroundTruth is { } truth && truth.LongLength == data.Shape.Length)
        {
            var errors = new double[frames.BlockCount];
            for (var i = 0; i < errors.Length; i++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                errors[i] = Canonicalizer.ErrorToTruth(Slice(truth, frames.BlockStart + i), Slice(objects, i), frameShape, backend);
            }

            var sorted = errors.Where(double.IsFinite).OrderBy(e => e).ToArray();
            findings["error_to_truth"] = errors;
            findings["median_error_to_truth"] = sorted.Length > 0 ? sorted[sorted.Length / 2] : double.NaN;
            findings["max_error_to_truth"] = sorted.Length > 0 ? sorted[^1] : double.NaN;
        }

        set.Findings[SeriesPhasePlugin.FindingsKey] = findings;
        return set;
    }

    /// <summary>The data's geometry with the zero-frequency pixel found once on the sum of the range's frames, so that every frame and every block use the same one.</summary>
    private Geometry CentredGeometry()
    {
        var sum = new float[FramePixels];
        var mask = new uint[FramePixels];
        for (var t = frames.RangeStart; t < frames.RangeStart + frames.RangeCount; t++)
        {
            var offset = (long)t * FramePixels;
            for (var i = 0; i < FramePixels; i++)
            {
                var v = data.Intensity[offset + i];
                if (data.IsMeasured(offset + i) && float.IsFinite(v))
                {
                    sum[i] += v;
                }
                else
                {
                    mask[i] |= data.Mask[offset + i] & (uint)MaskFlags.Unknown;
                }
            }
        }

        var summed = new DiffractionData(frameShape, sum, mask) { Geometry = data.Geometry };
        var centre = PreparedData.FindCentre(summed, options.Centering, "the summed frames").Centre;
        return data.Geometry with { BeamCenterY = centre[1], BeamCenterX = centre[2] };
    }

    private DiffractionData Frame(int t, Geometry geometry)
    {
        var offset = (long)t * FramePixels;
        var intensity = new float[FramePixels];
        var mask = new uint[FramePixels];
        Array.Copy(data.Intensity, offset, intensity, 0, FramePixels);
        Array.Copy(data.Mask, offset, mask, 0, FramePixels);
        var frame = new DiffractionData(frameShape, intensity, mask) { Geometry = geometry, Provenance = data.Provenance };
        if (data.InitialSupport is { } support)
        {
            frame.InitialSupport = support.LongLength == data.Shape.Length ? Slice(support, t) : support.LongLength == FramePixels ? support : null;
        }

        return frame;
    }

    private T[] Slice<T>(T[] stack, int index)
    {
        var slice = new T[FramePixels];
        Array.Copy(stack, (long)index * FramePixels, slice, 0, FramePixels);
        return slice;
    }

    private SupportUpdateSettings SupportSettings(bool warmStart) => new()
    {
        Threshold = (float)options.SupportThreshold,
        SigmaStart = (float)(warmStart ? options.WarmSupportSigma : options.SupportSigmaStart),
        SigmaEnd = (float)(warmStart ? options.WarmSupportSigma : options.SupportSigmaEnd),
        RelativeToMax = options.SupportThresholdReference == SupportThresholdReference.Max,
        MinFraction = options.SupportMinFraction,
        MaxFraction = options.SupportMaxFraction,
    };

    /// <summary>The ab initio frame: <see cref="SeriesPhaseOptions.InitialRuns"/> random starts with the full recipe; the best one (lowest free LLK among those with little energy outside the support).</summary>
    private Reconstruction AbInitio(DiffractionData frame, PreparedData prepared, int t)
    {
        var support = InitialSupport(frame);
        using var observations = Observations.Upload(backend, prepared);
        var settings = new RunSettings
        {
            Program = full,
            Support = SupportSettings(warmStart: false),
            Positivity = options.Positivity,
            MetricEvery = options.MetricEvery,

            // As cxdi.phase does: random phases break the twin symmetry of a centrosymmetric start.
            InitPhaseRange = !options.Positivity && ArrayTools.IsCentrosymmetric(support, frame.Shape) ? 2 * MathF.PI : 0,
        };
        var runs = new List<Reconstruction>();
        var notes = new List<string>();
        for (var i = 0; i < options.InitialRuns; i++)
        {
            var threshold = (float)options.SupportThreshold;
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var attempted = settings with { Support = settings.Support with { Threshold = threshold } };
                    runs.Add(RunEngine.Run(backend, observations, support, attempted, i, options.Seed + i, state =>
                    {
                        if (state.Cycle % 50 == 0)
                        {
                            context.Cancellation.ThrowIfCancellationRequested();
                        }
                    }));
                    break;
                }
                catch (SupportException e) when (attempt < options.SupportRetries)
                {
                    var factor = e is SupportTooSmallException ? 0.8f : 1.25f;
                    threshold = Math.Clamp(threshold * factor, 1e-6f, 0.99f);
                }
                catch (CxdiException e) when (e is SupportException or PhasingFailedException)
                {
                    notes.Add($"start {i}: {e.OneLine}");
                    break;
                }
            }
        }

        if (runs.Count == 0)
        {
            throw new PhasingFailedException($"frame {t}: none of the {options.InitialRuns} ab initio starts finished ({string.Join("; ", notes)})", "check the mask and the support settings, or try more initial_runs");
        }

        var useFree = prepared.HeldOut > 0;
        var best = runs
            .OrderBy(r => r.EnergyOutsideSupport <= options.MaxOutsideEnergy ? 0 : 1)
            .ThenBy(r => useFree ? r.FreeLlk : r.Llk)
            .ThenBy(r => r.Index)
            .First();
        var result = new Reconstruction
        {
            Index = t,
            Seed = best.Seed,
            Shape = frameShape,
            Object = best.Object,
            Support = best.Support,
            SupportSize = best.SupportSize,
            EnergyOutsideSupport = best.EnergyOutsideSupport,
            State = RunState.Kept,
            Reason = $"ab initio: best of {runs.Count} start(s) by {(useFree ? "free " : "")}LLK",
        };
        result.History.AddRange(best.History);
        return result;
    }

    private byte[] InitialSupport(DiffractionData frame)
    {
        var size = options.SupportSize > 0 ? options.SupportSize : Math.Min(frameShape.Ny, frameShape.Nx) / 2.0;
        var support = options.Support switch
        {
            InitialSupportSource.Circle => ArrayTools.Disc(frameShape, size / 2),
            InitialSupportSource.Square => ArrayTools.Square(frameShape, size),
            InitialSupportSource.Auto when frame.InitialSupport is { } s => s,
            _ => ArrayTools.AutocorrelationSupport(frame, backend, options.AutocorrelationThreshold, options.AutocorrelationSigma),
        };
        if (ArrayTools.Count(support) == 0)
        {
            throw new SupportTooSmallException(0, frameShape.Length, options.SupportMinFraction);
        }

        return support;
    }

    /// <summary>One warm frame on <paramref name="state"/> (whose object is the previous frame's): dilate the support, rescale, run the short recipe; redone from the previous frame with an adjusted threshold when the support leaves its range.</summary>
    private Reconstruction Warm(PhasingState state, Complex32[] previous, byte[] previousSupport, int t)
    {
        var threshold = (float)options.SupportThreshold;
        var start = options.WarmSupportDilation > 0 ? ArrayTools.Morph(previousSupport, frameShape, options.WarmSupportDilation) : previousSupport;
        for (var attempt = 0; ; attempt++)
        {
            state.Cycle = 0;
            state.SupportUpdatesDone = 0;
            state.History.Clear();
            state.Items.Clear();
            state.InFourierSpace = false;
            state.PreviousValid = false;
            state.SupportSettings = SupportSettings(warmStart: true) with { Threshold = threshold };
            state.SupportUpdatesPlanned = warm.SupportUpdates;
            state.Random = new Random(unchecked((int)(options.Seed + t)));
            backend.Upload(start, state.Support);
            state.CountSupport();
            if (attempt > 0)
            {
                backend.Upload(previous, state.Object);
            }

            try
            {
                var initial = state.EvaluateMetrics();
                if (!(initial.CalcSum > 0))
                {
                    throw new PhasingFailedException($"frame {t}: the previous frame's object has no intensity on the measured pixels", "check the frame's mask");
                }

                backend.Scale(state.Object, (float)Math.Sqrt(initial.ObsSum / initial.CalcSum));
                state.SyncPrevious();
                warm.Apply(state);
                var final = state.EvaluateMetrics();
                if (!double.IsFinite(final.LlkSum) || !double.IsFinite(final.CalcSum))
                {
                    throw new PhasingFailedException($"frame {t} diverged (log-likelihood is not finite)", "lower beta or use more ER cycles in warm_operators");
                }

                state.ReleasePrevious();
                var run = new Reconstruction
                {
                    Index = t,
                    Seed = options.Seed + t,
                    Shape = frameShape,
                    Object = state.DownloadObject(),
                    Support = state.DownloadSupport(),
                    Llk = final.Llk,
                    FreeLlk = final.FreeLlk,
                    Chi2 = final.Chi2,
                    SupportSize = state.CountSupport(),
                    State = RunState.Kept,
                    Reason = attempt == 0 ? $"warm start from frame {t - 1}" : $"warm start from frame {t - 1}, support threshold {threshold:G3} after {attempt} support guard(s)",
                };
                run.History.AddRange(state.History);
                run.History.Add(new MetricSample(state.Cycle, "final", final.Llk, final.FreeLlk, final.Chi2, run.SupportSize));
                return run;
            }
            catch (SupportException e) when (attempt < options.SupportRetries)
            {
                threshold = Math.Clamp(threshold * (e is SupportTooSmallException ? 0.8f : 1.25f), 1e-6f, 0.99f);
            }
        }
    }

    /// <summary>
    /// A copy of <paramref name="obj"/> with its constant phase chosen so that it best matches <paramref name="reference"/>
    /// (or, without one, so that Σ ψ|ψ| is real and positive): the frames of the stack share one phase origin.
    /// </summary>
    internal static Complex32[] PhaseReferenced(Complex32[] obj, Complex32[]? reference)
    {
        double re = 0, im = 0;
        for (var i = 0; i < obj.Length; i++)
        {
            var r = reference is null ? new Complex32(obj[i].Abs, 0) : reference[i];
            re += (obj[i].Re * r.Re) + (obj[i].Im * r.Im);
            im += (obj[i].Im * r.Re) - (obj[i].Re * r.Im);
        }

        var norm = Math.Sqrt((re * re) + (im * im));
        var rotation = norm > 0 ? new Complex32((float)(re / norm), (float)(-im / norm)) : new Complex32(1, 0);
        var result = new Complex32[obj.Length];
        for (var i = 0; i < obj.Length; i++)
        {
            result[i] = obj[i] * rotation;
        }

        return result;
    }

    private double? PixelSize()
    {
        var g = data.Geometry;
        if (g.Wavelength is { } l && g.DetectorDistance is { } d && g.PixelSizeX is { } p && p > 0)
        {
            return l * d / (frameShape.Nx * p);
        }

        return null;
    }
}
