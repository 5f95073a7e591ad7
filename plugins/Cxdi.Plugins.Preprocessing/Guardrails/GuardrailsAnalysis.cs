using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Plugins.Preprocessing.Reshaping;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.Extensions.Logging;

namespace Cxdi.Plugins.Preprocessing.Guardrails;

/// <summary>Options of <see cref="GuardrailsAnalysis"/>.</summary>
public sealed record GuardrailsOptions : PluginOptions
{
    /// <summary>Run phasing even when a check refuses the data.</summary>
    [Description("Record refusals as findings but do not stop the workflow. Only for experts who know why the check fails (e.g. a support known a priori).")]
    public bool Force { get; init; }

    /// <summary>Oversampling below which a warning is issued.</summary>
    [Description("Oversampling ratio per dimension below which a warning is issued; 3 or more gives robust convergence, 2^(1/D) is the hard limit (refused).")]
    [Range(1.0, 100.0)]
    public double WarnOversampling { get; init; } = 3;

    /// <summary>Relative autocorrelation level that bounds its support.</summary>
    [Description("Level, relative to its peak, above which the autocorrelation counts as inside its support. Lower finds larger objects but picks up noise; 0.005 suits photon-counting data (unknown pixels are filled first).")]
    [Range(1e-6, 0.5)]
    public double AutocorrelationThreshold { get; init; } = 0.005;

    /// <summary>Fraction of the central speckle hidden by the mask above which a warning is issued.</summary>
    [Description("Warn when more than this fraction of the central speckle (radius ≈ σ px) is masked; its hidden low frequencies are then left to the support constraint.")]
    [Range(0.0, 1.0)]
    public double WarnHiddenSpeckle { get; init; } = 0.5;

    /// <summary>Relative Friedel asymmetry above which a warning is issued.</summary>
    [Description("Warn when ‖I − I(−q)‖/‖I‖ over pixels measured at both q and −q exceeds this: a wrong centre, or an absorbing/Bragg object whose pattern is not centrosymmetric.")]
    [Range(0.0, 10.0)]
    public double WarnAsymmetry { get; init; } = 0.2;

    /// <summary>Number of measured pixels at exactly the maximum value that suggests saturation.</summary>
    [Description("Warn of possible saturation when at least this many measured pixels share exactly the maximum value (a flat top).")]
    [Range(2, 1000000)]
    public int PlateauPixels { get; init; } = 5;
}

/// <summary>One finding of the guardrails: a level, a stable code, the measured value and a sentence saying what to do.</summary>
/// <param name="Level">info, warning or refusal.</param>
/// <param name="Code">Stable code (oversampling, central_speckle, saturation, asymmetry).</param>
/// <param name="Value">The number measured.</param>
/// <param name="Message">A plain sentence with the number and what to do.</param>
public sealed record GuardrailFinding(string Level, string Code, double Value, string Message)
{
    /// <summary>As a JSON-friendly dictionary {level, code, value, message}.</summary>
    public Dictionary<string, object> ToDictionary() => new(StringComparer.Ordinal)
    {
        ["level"] = Level,
        ["code"] = Code,
        ["value"] = Value,
        ["message"] = Message,
    };
}

/// <summary>What the guardrails measured, for callers that want the numbers rather than the sentences.</summary>
/// <param name="Oversampling">σ per dimension, slowest axis first (an upper bound of 2 where the autocorrelation wraps around).</param>
/// <param name="ObjectSize">Estimated object extent per dimension in object-space pixels.</param>
/// <param name="HiddenSpeckleFraction">Fraction of the central speckle's pixels that are unknown.</param>
/// <param name="MaskedCentreExtent">Extent (px per dimension) of the unknown region containing the centre; 0 when the centre is measured.</param>
/// <param name="SaturatedPixels">Pixels flagged saturated.</param>
/// <param name="Asymmetry">‖I − I(−q)‖/‖I‖ on pixels known at both; NaN when no pair is known.</param>
public sealed record GuardrailMeasurements(double[] Oversampling, double[] ObjectSize, double HiddenSpeckleFraction, int[] MaskedCentreExtent, long SaturatedPixels, double Asymmetry);

/// <summary>
/// Checks, before phasing, whether the data can be phased: the oversampling ratio per dimension (from the extent of the
/// autocorrelation, which is twice the object's), the fraction of the central speckle hidden by the mask, saturation and
/// Friedel asymmetry. Findings go to <c>Findings["cxdi.guardrails"]</c> as a list of {level, code, value, message}; a
/// refusal throws <see cref="GuardrailException"/> unless <c>force: true</c>.
/// </summary>
[CxdiPlugin("cxdi.guardrails", "1.0.0", Description = "Pre-phasing checks: oversampling, hidden central speckle, saturation, asymmetry.")]
public sealed class GuardrailsAnalysis : IAnalysis
{
    /// <summary>The findings key.</summary>
    public const string Key = "cxdi.guardrails";

    /// <inheritdoc />
    public Type OptionsType => typeof(GuardrailsOptions);

    /// <inheritdoc />
    public bool Accepts(DataSpec input) => input.Space == DataSpace.Detector && !input.IsComplex;

    /// <inheritdoc />
    public DataItem Analyse(DataItem item, PluginOptions options, StepContext context)
    {
        if (item is not DiffractionData data)
        {
            throw new WorkflowShapeException($"cxdi.guardrails checks diffraction data but receives {item.Spec}", "place it before the phasing step");
        }

        var o = (GuardrailsOptions)options;
        var (_, findings) = Check(data, o, context);
        // The findings are the report: the host prints them (run, check, TUI) and writes them to summary.json.
        data.Findings[Key] = findings.Select(f => (object)f.ToDictionary()).ToList();

        var refusal = findings.FirstOrDefault(f => f.Level == "refusal");
        if (refusal is not null && !o.Force)
        {
            throw new GuardrailException(refusal.Code, refusal.Value, $"cxdi.guardrails refused the data: {refusal.Message}", "fix the data as said, or set force: true on cxdi.guardrails to phase anyway");
        }

        return data;
    }

    /// <summary>Runs every check and returns the numbers and the findings (refusals included, nothing thrown).</summary>
    public static (GuardrailMeasurements Measurements, List<GuardrailFinding> Findings) Check(DiffractionData data, GuardrailsOptions options, StepContext context)
    {
        var s = data.Shape;
        var findings = new List<GuardrailFinding>();
        var dims = s.Dimensions;
        var names = s.Is3D ? new[] { "z", "y", "x" } : ["y", "x"];

        // Nothing to phase: no measured pixel holds a photon.
        long usable = 0, positive = 0;
        for (long i = 0; i < data.Intensity.LongLength; i++)
        {
            if (Measured(data, i))
            {
                usable++;
                positive += data.Intensity[i] > 0 ? 1 : 0;
            }
        }

        if (positive == 0)
        {
            findings.Add(new("refusal", "empty", usable,
                $"The pattern is empty: all pixels are zero or masked ({s.Length - usable} of {s.Length} masked or not finite, {usable} measured at zero), so there is nothing to phase. Check the file, the dataset and frame read, the mask and any threshold applied before this step."));
            var none = Enumerable.Repeat(double.NaN, dims.Length).ToArray();
            return (new GuardrailMeasurements(none, none, double.NaN, new int[dims.Length], 0, double.NaN), findings);
        }

        // Oversampling from the autocorrelation extent.
        var extent = AutocorrelationExtent(data, options.AutocorrelationThreshold, context, out var guessedNearCentre);
        var sigma = new double[dims.Length];
        var size = new double[dims.Length];
        var aliased = new bool[dims.Length];
        for (var a = 0; a < dims.Length; a++)
        {
            // The autocorrelation of an object a px wide spans 2a − 1 px, so a = (extent + 1)/2 and σ = N/a: σ = 2 exactly
            // fills N − 1 px. An autocorrelation filling all N px has wrapped around: the object spans more than half the
            // field of view along that axis, so σ < 2 there and only that bound is known.
            aliased[a] = dims[a] > 1 && extent[a] >= dims[a];
            size[a] = Math.Max((extent[a] + 1) / 2.0, 0.5);
            sigma[a] = dims[a] / size[a];
        }

        var limit = Math.Pow(2, 1.0 / dims.Length);
        var minAxis = Array.IndexOf(sigma, sigma.Min());
        var perAxis = string.Join(", ", names.Select((n, a) => $"{n} {(aliased[a] ? "≤ " : "")}{StepLog.F(sigma[a], "F1")}"));
        var objectText = string.Join(" × ", size.Select((v, a) => (aliased[a] ? "≥ " : "") + StepLog.F(v, "F0")));
        if (aliased.All(x => x) && guessedNearCentre > 0)
        {
            // The masked centre had to be guessed: its error spreads sidelobes over the whole autocorrelation, so the wrap
            // may be an artefact rather than undersampling. Say so instead of refusing.
            findings.Add(new("warning", "oversampling", sigma[minAxis],
                $"The oversampling ratio cannot be measured: the autocorrelation wraps around the array in every direction, which means either σ ≤ 2 per axis (object at least half the field of view) or that the {guessedNearCentre} unmeasured pixels at the centre distort it. Check the expected σ with cxdi plan (σ = λD/(pS)); if it is below 2, measure with a longer distance or smaller pixels and do not bin."));
        }
        else if (aliased.All(x => x))
        {
            findings.Add(new("refusal", "oversampling", sigma[minAxis],
                $"The autocorrelation of the pattern wraps around the array in every direction, so the oversampling ratio is at most σ = 2 per axis (object {objectText} px, at least half the field of view): the intensities are undersampled and the phase cannot be recovered reliably. Measure with a longer detector distance or smaller pixels, do not bin, or illuminate a smaller area."));
        }
        else if (sigma[minAxis] < limit)
        {
            findings.Add(new("refusal", "oversampling", sigma[minAxis],
                $"The oversampling ratio is σ = {StepLog.F(sigma[minAxis], "F2")} along {names[minAxis]} (per axis: {perAxis}; object ≈ {objectText} px from the autocorrelation), below the uniqueness limit 2^(1/{dims.Length}) = {StepLog.F(limit, "F2")}: the speckles are not sampled finely enough to recover the phase. Measure with a longer detector distance or smaller pixels, do not bin, or illuminate a smaller area."));
        }
        else if (sigma[minAxis] < options.WarnOversampling)
        {
            findings.Add(new("warning", "oversampling", sigma[minAxis],
                $"The oversampling ratio is only σ {(aliased[minAxis] ? "≤" : "=")} {StepLog.F(sigma[minAxis], "F1")} along {names[minAxis]} (per axis: {perAxis}; object ≈ {objectText} px): below {StepLog.F(options.WarnOversampling, "F0")} phasing converges less reliably. Avoid binning, use more random starts, and prefer a longer detector distance next time."));
        }
        else
        {
            findings.Add(new("info", "oversampling", sigma[minAxis],
                $"The oversampling ratio is σ = {StepLog.F(sigma[minAxis], "F1")} or more in every direction (per axis: {perAxis}; object ≈ {objectText} px from the autocorrelation): enough for phasing."));
        }

        // Central speckle hidden by the mask.
        var (hidden, speckleRadius, centreExtent) = HiddenCentralSpeckle(data, sigma);
        var radiusText = string.Join(", ", names.Select((n, a) => $"{StepLog.F(speckleRadius[a], "F1")} px along {n}"));
        var centreText = centreExtent.All(e => e == 0)
            ? "the beam position itself is measured"
            : $"the masked region around the beam spans {string.Join(" × ", names.Select((n, a) => $"{centreExtent[a]} px along {n}"))}, about {string.Join(" × ", centreExtent.Select((e, a) => StepLog.F(e / Math.Max(sigma[a], 1e-9), "F1")))} speckles";
        if (hidden > options.WarnHiddenSpeckle)
        {
            findings.Add(new("warning", "central_speckle", hidden,
                $"The mask hides {StepLog.F(100 * hidden, "F0")} % of the central speckle (radius ≈ {radiusText}, one speckle at this oversampling); {centreText}. These low frequencies are left free and only the support constrains them: expect the object's overall envelope to be less certain. Use a smaller or offset beamstop, or add a short unattenuated exposure of the centre."));
        }
        else
        {
            findings.Add(new("info", "central_speckle", hidden,
                $"The mask hides {StepLog.F(100 * hidden, "F0")} % of the central speckle (radius ≈ {radiusText}); {centreText}."));
        }

        // Saturation.
        long saturated = 0, atMax = 0;
        var max = float.NegativeInfinity;
        for (long i = 0; i < data.Intensity.LongLength; i++)
        {
            if ((data.Mask[i] & (uint)MaskFlags.Saturated) != 0)
            {
                saturated++;
            }

            if (Measured(data, i))
            {
                var v = data.Intensity[i];
                if (v > max)
                {
                    (max, atMax) = (v, 1);
                }
                else if (v == max)
                {
                    atMax++;
                }
            }
        }

        if (atMax >= options.PlateauPixels && max > 0)
        {
            findings.Add(new("warning", "saturation", atMax,
                $"{atMax} measured pixels share exactly the maximum value {StepLog.F(max)}: the detector was probably saturated there. Flag them with cxdi.mask.saturation (level {StepLog.F(max)}) so phasing leaves them free."));
        }
        else
        {
            findings.Add(new("info", "saturation", saturated,
                saturated > 0
                    ? $"{saturated} pixels are flagged saturated and left free; no flat top among the measured pixels (maximum {StepLog.F(max)} counts)."
                    : $"No pixel is flagged saturated and the measured maximum ({StepLog.F(max)} counts) is not a flat top."));
        }

        // Friedel asymmetry: a wrong centre (symmetric about another centre nearby) warns; an object asymmetric about every
        // centre is complex-valued (absorbing, strained or with phase structure), which phasing handles: it is said, not warned.
        var asym = Asymmetry(data);
        var (bestAsym, dy2, dx2) = asym > options.WarnAsymmetry ? BestCentreAsymmetry(data) : (asym, 0, 0);
        var (cy, cx) = Pixels.Centre(data);
        if (double.IsNaN(asym))
        {
            findings.Add(new("warning", "asymmetry", asym, "No pixel pair (q, −q) is measured on both sides, so the centre cannot be checked: verify the beam centre."));
        }
        else if (asym > options.WarnAsymmetry && bestAsym < asym / 2)
        {
            findings.Add(new("warning", "asymmetry", asym,
                $"The pattern is {StepLog.F(100 * asym, "F0")} % asymmetric about the beam centre (row {StepLog.F(cy, "F1")}, column {StepLog.F(cx, "F1")}) but only {StepLog.F(100 * bestAsym, "F0")} % about (row {StepLog.F(cy + (dy2 / 2.0), "F1")}, column {StepLog.F(cx + (dx2 / 2.0), "F1")}): the centre is probably off; run cxdi.center or set the beam centre."));
        }
        else if (asym > options.WarnAsymmetry)
        {
            findings.Add(new("info", "asymmetry", asym,
                $"The pattern is {StepLog.F(100 * asym, "F0")} % asymmetric (‖I − I(−q)‖/‖I‖) about the beam centre and no less about any centre within 2 px: the object is complex-valued (absorbing, strained or with phase structure), as phasing with complex objects expects; do not impose a real or positive object."));
        }
        else
        {
            findings.Add(new("info", "asymmetry", asym,
                $"The pattern is centrosymmetric to {StepLog.F(100 * asym, "F1")} % (‖I − I(−q)‖/‖I‖ about the centre), as expected for a weakly absorbing object with a correct centre."));
        }

        return (new GuardrailMeasurements(sigma, size, hidden, centreExtent, saturated, asym), findings);
    }

    /// <summary>
    /// Extent (px, slowest axis first) of the autocorrelation |FFT⁻¹(I)| above <paramref name="threshold"/> × its peak (isolated
    /// pixels ignored). Unknown pixels are filled from I(−q) where measured, the rest inpainted from their neighbours.
    /// </summary>
    public static int[] AutocorrelationExtent(DiffractionData data, double threshold, StepContext context) => AutocorrelationExtent(data, threshold, context, out _);

    /// <summary>As <see cref="AutocorrelationExtent(DiffractionData, double, StepContext)"/>; <paramref name="guessedNearCentre"/> counts the pixels within 4 px of the centre that had to be inpainted (neither measured nor known from I(−q)).</summary>
    public static int[] AutocorrelationExtent(DiffractionData data, double threshold, StepContext context, out long guessedNearCentre)
    {
        var s = data.Shape;
        var (z2, y2, x2) = SymmetrizeStep.TwiceCentre(data);
        var values = new float[s.Length];
        var known = new bool[s.Length];
        for (var z = 0; z < s.Nz; z++)
        {
            for (var y = 0; y < s.Ny; y++)
            {
                for (var x = 0; x < s.Nx; x++)
                {
                    var i = ((((long)z * s.Ny) + y) * s.Nx) + x;
                    float v;
                    if (Measured(data, i))
                    {
                        v = data.Intensity[i];
                    }
                    else if (SymmetrizeStep.Mirror(s, z2, y2, x2, z, y, x) is var j && j >= 0 && Measured(data, j))
                    {
                        v = data.Intensity[j];
                    }
                    else
                    {
                        continue;
                    }

                    values[i] = float.IsFinite(v) && v > 0 ? v : 0;
                    known[i] = true;
                }
            }
        }

        var (cy, cx) = Pixels.Centre(data);
        guessedNearCentre = 0;
        for (var z = 0; z < s.Nz; z++)
        {
            var dz = s.Is3D ? z - (s.Nz / 2) : 0;
            for (var y = 0; y < s.Ny; y++)
            {
                for (var x = 0; x < s.Nx; x++)
                {
                    double dy = y - cy, dx = x - cx;
                    if ((dz * dz) + (dy * dy) + (dx * dx) <= 16 && !known[((((long)z * s.Ny) + y) * s.Nx) + x])
                    {
                        guessedNearCentre++;
                    }
                }
            }
        }

        // Every guess of the unknown intensities agrees with the measurement; the true ones give the autocorrelation of the
        // true object, and a wrong guess adds a broad term that only widens it. So several physically motivated guesses are
        // made and the most compact autocorrelation they give is kept: the unknown pixels inpainted from their neighbours;
        // the hidden central speckle extrapolated with the Guinier law; then its intensities solved for so that the
        // autocorrelation vanishes where it must (RefineCentre), first on the array's outer frame, then twice outside the
        // support found.
        using var backend = Fft.Backend(context, "cxdi.guardrails");
        var plain = (float[])values.Clone();
        Inpaint(plain, (bool[])known.Clone(), s);
        var buffer = Autocorrelation(plain, s, backend);
        var best = Extent(buffer, threshold, s);
        var centre = FillCentralSpeckle(values, known, s, s.Is3D ? s.Nz / 2 : 0, cy, cx);
        if (centre.Count > 0)
        {
            Inpaint(values, known, s);
            buffer = Autocorrelation(values, s, backend);
            best = Smaller(best, Extent(buffer, threshold, s));
            if (centre.Count <= MaxCentreUnknowns)
            {
                RefineCentre(values, centre, buffer, s, backend, OuterFrame(s));
                best = Smaller(best, Extent(buffer, threshold, s));
                for (var round = 0; round < 2; round++)
                {
                    var outside = Dilate(Support(buffer, (float)(threshold * buffer[0].Abs), s), s);
                    for (long i = 0; i < outside.LongLength; i++)
                    {
                        outside[i] = !outside[i];
                    }

                    if (outside.Count(o => o) < centre.Count * 4)
                    {
                        break;
                    }

                    RefineCentre(values, centre, buffer, s, backend, outside);
                    best = Smaller(best, Extent(buffer, threshold, s));
                }
            }
        }

        return s.Is3D ? best : [best[1], best[2]];
    }

    private static int[] Smaller(int[] a, int[] b) => (double)a[0] * a[1] * a[2] <= (double)b[0] * b[1] * b[2] ? a : b;

    private static Complex32[] Autocorrelation(float[] values, Shape s, IComputeBackend backend)
    {
        var buffer = new Complex32[s.Length];
        for (long i = 0; i < buffer.LongLength; i++)
        {
            buffer[i] = new Complex32(values[i], 0);
        }

        backend.Transform(buffer, s, FftDirection.Inverse);
        return buffer;
    }

    /// <summary>Extent (z, y, x) of the bounding box, in centred (signed) coordinates, of the solid support above <paramref name="threshold"/> × the peak.</summary>
    private static int[] Extent(Complex32[] buffer, double threshold, Shape s)
    {
        var above = Support(buffer, (float)(threshold * buffer[0].Abs), s);
        int[] lo = [0, 0, 0], hi = [0, 0, 0];
        int[] n = [s.Nz, s.Ny, s.Nx];
        for (var z = 0; z < s.Nz; z++)
        {
            for (var y = 0; y < s.Ny; y++)
            {
                for (var x = 0; x < s.Nx; x++)
                {
                    if (!above[((((long)z * s.Ny) + y) * s.Nx) + x])
                    {
                        continue;
                    }

                    int[] c = [Signed(z, n[0]), Signed(y, n[1]), Signed(x, n[2])];
                    for (var a = 0; a < 3; a++)
                    {
                        lo[a] = Math.Min(lo[a], c[a]);
                        hi[a] = Math.Max(hi[a], c[a]);
                    }
                }
            }
        }

        return [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
    }

    /// <summary>
    /// Fills the unknown region around the beam (the beamstop) with the Guinier law I(q) = I₀·exp(−b·q²) fitted to the
    /// known pixels of the ring out to twice its radius: near q = 0 every compact object's intensity falls off as a
    /// Gaussian, so this is far closer to the hidden central speckle than a mean of the rim, whose shortfall would spread
    /// over the whole autocorrelation. A ring that rises outwards (the beamstop covers several speckles) gives b = 0, the
    /// ring's mean. The filled pixels become <paramref name="known"/>; the caller still treats them as guesses.
    /// </summary>
    internal static List<long> FillCentralSpeckle(float[] values, bool[] known, Shape s, int cz, double cy, double cx)
    {
        int z0 = cz, y0 = (int)Math.Round(cy), x0 = (int)Math.Round(cx);
        if (y0 < 0 || y0 >= s.Ny || x0 < 0 || x0 >= s.Nx)
        {
            return [];
        }

        var start = ((((long)z0 * s.Ny) + y0) * s.Nx) + x0;
        if (known[start])
        {
            return [];
        }

        // The unknown region connected to the centre, within an eighth of the array (a gap crossing the beam must not
        // turn the whole gap into "centre").
        var reach = Math.Min(s.Ny, s.Nx) / 8.0;
        double R2(int z, int y, int x) => (s.Is3D ? (z - cz) * (z - cz) : 0) + ((y - cy) * (y - cy)) + ((x - cx) * (x - cx));
        var region = new List<long> { start };
        var seen = new HashSet<long> { start };
        var maxR2 = 0.0;
        for (var k = 0; k < region.Count; k++)
        {
            var i = region[k];
            int z = (int)(i / ((long)s.Ny * s.Nx)), y = (int)(i / s.Nx % s.Ny), x = (int)(i % s.Nx);
            maxR2 = Math.Max(maxR2, R2(z, y, x));
            foreach (var (dz, dy, dx) in (ReadOnlySpan<(int, int, int)>)[(0, 0, 1), (0, 0, -1), (0, 1, 0), (0, -1, 0), (1, 0, 0), (-1, 0, 0)])
            {
                int zz = z + dz, yy = y + dy, xx = x + dx;
                if (zz < 0 || zz >= s.Nz || yy < 0 || yy >= s.Ny || xx < 0 || xx >= s.Nx || R2(zz, yy, xx) > reach * reach)
                {
                    continue;
                }

                var j = ((((long)zz * s.Ny) + yy) * s.Nx) + xx;
                if (!known[j] && seen.Add(j))
                {
                    region.Add(j);
                }
            }
        }

        // Least squares of ln I = a − b·r² over the known positive pixels with R < r ≤ 2R + 2.
        var radius = Math.Sqrt(maxR2);
        var outer = (2 * radius) + 2;
        double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var z = Math.Max(0, cz - (int)outer); z <= Math.Min(s.Nz - 1, cz + (int)outer); z++)
        {
            for (var y = Math.Max(0, (int)(cy - outer)); y <= Math.Min(s.Ny - 1, (int)(cy + outer) + 1); y++)
            {
                for (var x = Math.Max(0, (int)(cx - outer)); x <= Math.Min(s.Nx - 1, (int)(cx + outer) + 1); x++)
                {
                    var i = ((((long)z * s.Ny) + y) * s.Nx) + x;
                    var r2 = R2(z, y, x);
                    if (!known[i] || values[i] <= 0 || r2 <= maxR2 || r2 > outer * outer)
                    {
                        continue;
                    }

                    double l = Math.Log(values[i]);
                    n++;
                    sx += r2;
                    sy += l;
                    sxx += r2 * r2;
                    sxy += r2 * l;
                }
            }
        }

        if (n < 3)
        {
            return [];
        }

        var det = (n * sxx) - (sx * sx);
        var slope = det > 0 ? ((n * sxy) - (sx * sy)) / det : 0;
        var b = Math.Max(0, -slope);
        var a = (sy + (b * sx)) / n;
        foreach (var i in region)
        {
            int z = (int)(i / ((long)s.Ny * s.Nx)), y = (int)(i / s.Nx % s.Ny), x = (int)(i % s.Nx);
            values[i] = (float)Math.Exp(a - (b * R2(z, y, x)));
            known[i] = true;
        }

        return region;
    }

    /// <summary>Most unknown central pixels <see cref="RefineCentre"/> solves for (a dense system of that order).</summary>
    private const int MaxCentreUnknowns = 1500;

    /// <summary>
    /// Re-estimates the unknown central intensities so that the autocorrelation vanishes on <c>zero</c> (at first the outer
    /// sixteenth of the array along each axis, where the autocorrelation of an object smaller than 15/32 of the field of
    /// view, σ ≥ 2.2, is zero): a linear least-squares problem in the unknown intensities, plane waves in real space.
    /// The error of a guessed central speckle is a broad, low-resolution term spread over the whole autocorrelation, so
    /// without this it reaches any relative threshold everywhere. The measured intensities are never changed.
    /// </summary>
    private static bool[] OuterFrame(Shape s)
    {
        int[] n = [s.Nz, s.Ny, s.Nx];
        int[] frame = [Math.Max(1, s.Nz / 32), Math.Max(1, s.Ny / 32), Math.Max(1, s.Nx / 32)];
        var outer = new bool[s.Length];
        for (var z = 0; z < s.Nz; z++)
        {
            for (var y = 0; y < s.Ny; y++)
            {
                for (var x = 0; x < s.Nx; x++)
                {
                    int[] c = [Signed(z, n[0]), Signed(y, n[1]), Signed(x, n[2])];
                    var o = false;
                    for (var a = 0; a < 3; a++)
                    {
                        o |= n[a] > 1 && Math.Abs(c[a]) >= (n[a] / 2) - frame[a];
                    }

                    outer[((((long)z * s.Ny) + y) * s.Nx) + x] = o;
                }
            }
        }

        return outer;
    }

    private static void RefineCentre(float[] values, List<long> centre, Complex32[] autocorrelation, Shape s, IComputeBackend backend, bool[] zero)
    {
        int[] n = [s.Nz, s.Ny, s.Nx];
        var border = new Complex32[s.Length];
        var weighted = new Complex32[s.Length];
        for (long i = 0; i < zero.LongLength; i++)
        {
            if (zero[i])
            {
                border[i] = new Complex32(1, 0);
                weighted[i] = autocorrelation[i];
            }
        }

        backend.Transform(border, s, FftDirection.Forward);
        backend.Transform(weighted, s, FftDirection.Forward);
        var k = centre.Count;
        var position = centre.Select(i => ((int)(i / ((long)s.Ny * s.Nx)), (int)(i / s.Nx % s.Ny), (int)(i % s.Nx))).ToArray();
        var g = new double[k, k];
        var rhs = new double[k];
        double m = s.Length;
        for (var j = 0; j < k; j++)
        {
            rhs[j] = -weighted[centre[j]].Re;
            for (var l = 0; l < k; l++)
            {
                int dz = ((position[l].Item1 - position[j].Item1) % n[0] + n[0]) % n[0];
                int dy = ((position[l].Item2 - position[j].Item2) % n[1] + n[1]) % n[1];
                int dx = ((position[l].Item3 - position[j].Item3) % n[2] + n[2]) % n[2];
                g[j, l] = border[((((long)dz * s.Ny) + dy) * s.Nx) + dx].Re / m;
            }

            g[j, j] += 1e-6 * border[0].Re / m;
        }

        var delta = Solve(g, rhs);
        if (delta is null)
        {
            return;
        }

        for (var j = 0; j < k; j++)
        {
            values[centre[j]] = (float)Math.Max(0, values[centre[j]] + delta[j]);
        }

        for (long i = 0; i < autocorrelation.LongLength; i++)
        {
            autocorrelation[i] = new Complex32(values[i], 0);
        }

        backend.Transform(autocorrelation, s, FftDirection.Inverse);
    }

    /// <summary>Solves the symmetric system by Gaussian elimination with partial pivoting; null when singular.</summary>
    private static double[]? Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        for (var c = 0; c < n; c++)
        {
            var p = c;
            for (var r = c + 1; r < n; r++)
            {
                if (Math.Abs(a[r, c]) > Math.Abs(a[p, c]))
                {
                    p = r;
                }
            }

            if (Math.Abs(a[p, c]) < 1e-300)
            {
                return null;
            }

            if (p != c)
            {
                for (var q = 0; q < n; q++)
                {
                    (a[c, q], a[p, q]) = (a[p, q], a[c, q]);
                }

                (b[c], b[p]) = (b[p], b[c]);
            }

            for (var r = c + 1; r < n; r++)
            {
                var f = a[r, c] / a[c, c];
                if (f == 0)
                {
                    continue;
                }

                for (var q = c; q < n; q++)
                {
                    a[r, q] -= f * a[c, q];
                }

                b[r] -= f * b[c];
            }
        }

        var x = new double[n];
        for (var r = n - 1; r >= 0; r--)
        {
            var sum = b[r];
            for (var q = r + 1; q < n; q++)
            {
                sum -= a[r, q] * x[q];
            }

            x[r] = sum / a[r, r];
        }

        return x;
    }

    /// <summary>
    /// The pixels of |<paramref name="buffer"/>| at or above <paramref name="level"/> that have at least 5 such pixels in their
    /// 3×3(×3) neighbourhood (themselves included, periodic): isolated noise spikes do not count, while zero crossings
    /// inside the autocorrelation (from the masked central speckle) do not cut it short as a connected fill would.
    /// </summary>
    private static bool[] Support(Complex32[] buffer, float level, Shape s)
    {
        var above = new bool[buffer.LongLength];
        for (long i = 0; i < buffer.LongLength; i++)
        {
            above[i] = buffer[i].Abs >= level;
        }

        var solid = new bool[buffer.LongLength];
        for (var z = 0; z < s.Nz; z++)
        {
            for (var y = 0; y < s.Ny; y++)
            {
                for (var x = 0; x < s.Nx; x++)
                {
                    var i = ((((long)z * s.Ny) + y) * s.Nx) + x;
                    if (!above[i])
                    {
                        continue;
                    }

                    var count = 0;
                    for (var dz = s.Nz > 1 ? -1 : 0; dz <= (s.Nz > 1 ? 1 : 0); dz++)
                    {
                        for (var dy = -1; dy <= 1; dy++)
                        {
                            for (var dx = -1; dx <= 1; dx++)
                            {
                                var j = ((((long)((z + dz + s.Nz) % s.Nz) * s.Ny) + ((y + dy + s.Ny) % s.Ny)) * s.Nx) + ((x + dx + s.Nx) % s.Nx);
                                count += above[j] ? 1 : 0;
                            }
                        }
                    }

                    solid[i] = count >= 5;
                }
            }
        }

        return solid;
    }

    /// <summary>The support grown by two pixels along each axis (periodic), so a projection onto it does not erode its edges.</summary>
    private static bool[] Dilate(bool[] support, Shape s)
    {
        var grown = (bool[])support.Clone();
        int[] n = [s.Nz, s.Ny, s.Nx];
        long[] strides = [(long)s.Ny * s.Nx, s.Nx, 1];
        for (var a = 0; a < 3; a++)
        {
            if (n[a] == 1)
            {
                continue;
            }

            var source = (bool[])grown.Clone();
            for (long i = 0; i < source.LongLength; i++)
            {
                if (!source[i])
                {
                    continue;
                }

                var c = (int)(i / strides[a] % n[a]);
                for (var d = -2; d <= 2; d++)
                {
                    grown[i + ((((c + d + n[a]) % n[a]) - c) * strides[a])] = true;
                }
            }
        }

        return grown;
    }

    /// <summary>
    /// Fills the pixels not <paramref name="known"/> layer by layer from the known ones, each with the mean of its already
    /// filled face neighbours, so gaps and the beamstop do not imprint their own (negative) pattern on the autocorrelation.
    /// </summary>
    internal static void Inpaint(float[] values, bool[] known, Shape s)
    {
        var strides = new long[] { (long)s.Ny * s.Nx, s.Nx, 1 };
        var dims = new[] { s.Nz, s.Ny, s.Nx };
        var frontier = new List<long>();
        var next = new List<(long Index, float Value)>();
        for (long i = 0; i < known.LongLength; i++)
        {
            if (!known[i])
            {
                frontier.Add(i);
            }
        }

        if (frontier.Count == known.LongLength)
        {
            return;
        }

        while (frontier.Count > 0)
        {
            next.Clear();
            foreach (var i in frontier)
            {
                double sum = 0;
                var n = 0;
                var rest = i;
                for (var a = 0; a < 3; a++)
                {
                    var c = (int)(rest / strides[a]);
                    rest %= strides[a];
                    if (c > 0 && known[i - strides[a]])
                    {
                        sum += values[i - strides[a]];
                        n++;
                    }

                    if (c < dims[a] - 1 && known[i + strides[a]])
                    {
                        sum += values[i + strides[a]];
                        n++;
                    }
                }

                if (n > 0)
                {
                    next.Add((i, (float)(sum / n)));
                }
            }

            foreach (var (i, v) in next)
            {
                values[i] = v;
                known[i] = true;
            }

            frontier.RemoveAll(i => known[i]);
        }
    }

    private static int Signed(int i, int n) => i <= (n - 1) / 2 ? i : i - n;

    /// <summary>
    /// Measured and usable: no unknown flag and a finite value. A NaN or ±Inf that no reader flagged is unknown here, never
    /// a measured zero (a zero hole next to the central speckle would imprint its own broad pattern on the autocorrelation).
    /// </summary>
    private static bool Measured(DiffractionData data, long i) => data.IsMeasured(i) && float.IsFinite(data.Intensity[i]);

    /// <summary>
    /// Fraction of the pixels within the central speckle (an ellipse of radius σ px per axis around the centre) that are
    /// unknown, the radii, and the bounding-box extent of the unknown region connected to the centre pixel.
    /// </summary>
    public static (double Fraction, double[] Radius, int[] CentreExtent) HiddenCentralSpeckle(DiffractionData data, double[] sigma)
    {
        var s = data.Shape;
        var (cy, cx) = Pixels.Centre(data);
        double[] centre = s.Is3D ? [s.Nz / 2, cy, cx] : [0, cy, cx];
        double[] radius = s.Is3D ? [sigma[0], sigma[1], sigma[2]] : [double.PositiveInfinity, sigma[0], sigma[1]];
        long inside = 0, hidden = 0;
        for (var z = 0; z < s.Nz; z++)
        {
            var dz = s.Is3D ? (z - centre[0]) / radius[0] : 0;
            for (var y = 0; y < s.Ny; y++)
            {
                var dy = (y - centre[1]) / radius[1];
                for (var x = 0; x < s.Nx; x++)
                {
                    var dx = (x - centre[2]) / radius[2];
                    if ((dz * dz) + (dy * dy) + (dx * dx) > 1)
                    {
                        continue;
                    }

                    inside++;
                    if (!Measured(data, ((((long)z * s.Ny) + y) * s.Nx) + x))
                    {
                        hidden++;
                    }
                }
            }
        }

        // Connected unknown region containing the centre pixel (4/6-connectivity).
        int cz0 = (int)Math.Round(centre[0]), cy0 = (int)Math.Round(centre[1]), cx0 = (int)Math.Round(centre[2]);
        var extent = new int[3];
        var start = ((((long)cz0 * s.Ny) + cy0) * s.Nx) + cx0;
        if (cy0 >= 0 && cy0 < s.Ny && cx0 >= 0 && cx0 < s.Nx && !Measured(data, start))
        {
            var seen = new HashSet<long> { start };
            var stack = new Stack<long>();
            stack.Push(start);
            int[] lo = [cz0, cy0, cx0], hi = [cz0, cy0, cx0];
            while (stack.Count > 0)
            {
                var i = stack.Pop();
                int z = (int)(i / ((long)s.Ny * s.Nx)), y = (int)(i / s.Nx % s.Ny), x = (int)(i % s.Nx);
                int[] p = [z, y, x];
                for (var a = 0; a < 3; a++)
                {
                    lo[a] = Math.Min(lo[a], p[a]);
                    hi[a] = Math.Max(hi[a], p[a]);
                }

                foreach (var (dz, dy, dx) in (ReadOnlySpan<(int, int, int)>)[(0, 0, 1), (0, 0, -1), (0, 1, 0), (0, -1, 0), (1, 0, 0), (-1, 0, 0)])
                {
                    int zz = z + dz, yy = y + dy, xx = x + dx;
                    if (zz < 0 || zz >= s.Nz || yy < 0 || yy >= s.Ny || xx < 0 || xx >= s.Nx)
                    {
                        continue;
                    }

                    var j = ((((long)zz * s.Ny) + yy) * s.Nx) + xx;
                    if (!Measured(data, j) && seen.Add(j))
                    {
                        stack.Push(j);
                    }
                }
            }

            for (var a = 0; a < 3; a++)
            {
                extent[a] = hi[a] - lo[a] + 1;
            }
        }

        var radii = s.Is3D ? radius : [radius[1], radius[2]];
        var ext = s.Is3D ? extent : [extent[1], extent[2]];
        return (inside == 0 ? 0 : (double)hidden / inside, radii, ext);
    }

    /// <summary>‖I − I(−q)‖/‖I‖ over pixel pairs measured at both q and −q (inversion through the beam centre); NaN when none.</summary>
    public static double Asymmetry(DiffractionData data)
    {
        var (z2, y2, x2) = SymmetrizeStep.TwiceCentre(data);
        return Asymmetry(data, z2, y2, x2);
    }

    /// <summary>
    /// The smallest asymmetry about the centres within ±2 px (half-pixel steps) of the beam centre, and that centre's offset
    /// (twice the shift, in half pixels: y, x). A wrong centre makes a centrosymmetric pattern asymmetric about it but
    /// symmetric about the right one; a complex-valued (absorbing, strained) object is asymmetric about every centre.
    /// </summary>
    public static (double Asymmetry, int DoubledDy, int DoubledDx) BestCentreAsymmetry(DiffractionData data)
    {
        var (z2, y2, x2) = SymmetrizeStep.TwiceCentre(data);
        var best = (Asymmetry(data, z2, y2, x2), 0, 0);
        for (var dy = -4; dy <= 4; dy++)
        {
            for (var dx = -4; dx <= 4; dx++)
            {
                if ((dy, dx) != (0, 0) && Asymmetry(data, z2, y2 + dy, x2 + dx) is var a && a < best.Item1)
                {
                    best = (a, dy, dx);
                }
            }
        }

        return best;
    }

    private static double Asymmetry(DiffractionData data, int z2, int y2, int x2)
    {
        var s = data.Shape;
        double diff = 0, norm = 0;
        for (var z = 0; z < s.Nz; z++)
        {
            for (var y = 0; y < s.Ny; y++)
            {
                for (var x = 0; x < s.Nx; x++)
                {
                    var i = ((((long)z * s.Ny) + y) * s.Nx) + x;
                    if (!Measured(data, i))
                    {
                        continue;
                    }

                    var j = SymmetrizeStep.Mirror(s, z2, y2, x2, z, y, x);
                    if (j < 0 || !Measured(data, j))
                    {
                        continue;
                    }

                    double a = data.Intensity[i], b = data.Intensity[j];
                    diff += (a - b) * (a - b);
                    norm += a * a;
                }
            }
        }

        return norm > 0 ? Math.Sqrt(diff / norm) : double.NaN;
    }
}
