using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Operators;

/// <summary>The built-in operators, registered by <see cref="PhasingModule"/> exactly as a third party registers its own.</summary>
public static class BuiltInOperators
{
    /// <summary>The operators of the phasing plugin, for phasers and tests that run outside a host.</summary>
    public static OperatorRegistry Registry { get; } = OperatorRegistry.FromModules(new PhasingModule());

    /// <summary>Parses <paramref name="text"/> with the built-in operators and the β defaults of HIO and RAAR.</summary>
    public static PhasingOperator Parse(string text, float hioBeta = 0.9f, float raarBeta = 0.75f) => Parse(Registry, text, hioBeta, raarBeta);

    /// <summary>Parses <paramref name="text"/> with <paramref name="registry"/>, HIO and RAAR taking the given β where the string gives none.</summary>
    public static PhasingOperator Parse(OperatorRegistry registry, string text, float hioBeta, float raarBeta)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.Parse(text, new Dictionary<string, object> { ["HIO.beta"] = hioBeta, ["RAAR.beta"] = raarBeta });
    }
}

/// <summary>Error reduction: ψ' = P_S P_M ψ (with the run's positivity and real constraints).</summary>
[Description("Error reduction cycle: ψ' = P_S P_M ψ.")]
public sealed class ErOperator : ProjectionCycleOperator
{
    /// <inheritdoc />
    protected override void Update(PhasingState state) =>
        state.Backend.UpdateObject(state.Object, state.Previous, state.Support, new ErRule(state.Positivity, state.Real));
}

/// <summary>Hybrid input-output: P_M ψ where the constraints hold, ψ − β P_M ψ where they are violated.</summary>
[Description("Hybrid input-output cycle: P_M ψ inside the support, ψ − β P_M ψ outside.")]
public sealed class HioOperator : ProjectionCycleOperator
{
    /// <summary>Feedback parameter β.</summary>
    [OperatorParameter("Feedback β (0.9 typical; larger explores more).")]
    [Range(0.0, 2.0)]
    public float Beta { get; set; } = 0.9f;

    /// <inheritdoc />
    protected override void Update(PhasingState state) =>
        state.Backend.UpdateObject(state.Object, state.Previous, state.Support, new HioRule(Beta, state.Positivity, state.Real));
}

/// <summary>Relaxed averaged alternating reflections: P_M ψ where the constraints hold, β ψ + (1 − 2β) P_M ψ where violated.</summary>
[Description("RAAR cycle: P_M ψ inside the support, β ψ + (1 − 2β) P_M ψ outside.")]
public sealed class RaarOperator : ProjectionCycleOperator
{
    /// <summary>Relaxation β.</summary>
    [OperatorParameter("Relaxation β (0.75 typical).")]
    [Range(0.0, 2.0)]
    public float Beta { get; set; } = 0.75f;

    /// <inheritdoc />
    protected override void Update(PhasingState state) =>
        state.Backend.UpdateObject(state.Object, state.Previous, state.Support, new RaarRule(Beta, state.Positivity, state.Real));
}

/// <summary>Difference map (Douglas–Rachford form): ψ' = ψ + P_S(2 P_M ψ − ψ) − P_M ψ.</summary>
[Description("Difference-map cycle: ψ + P_S(2 P_M ψ − ψ) − P_M ψ.")]
public sealed class DmOperator : ProjectionCycleOperator
{
    /// <inheritdoc />
    protected override void Update(PhasingState state) =>
        state.Backend.UpdateObject(state.Object, state.Previous, state.Support, new DmRule(state.Positivity, state.Real));
}

/// <summary>Charge flipping: P_M ψ with the imaginary part negated where the constraints are violated.</summary>
[Description("Charge-flipping cycle: P_M ψ with the imaginary part negated outside the support.")]
public sealed class CfOperator : ProjectionCycleOperator
{
    /// <inheritdoc />
    protected override void Update(PhasingState state) =>
        state.Backend.UpdateObject(state.Object, state.Previous, state.Support, new CfRule(state.Positivity));
}

/// <summary>Forward FFT of the object in place (real → Fourier space).</summary>
[Description("Forward FFT of the object (real → Fourier space).")]
public sealed class FourierTransformOperator : PhasingOperator
{
    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.InFourierSpace)
        {
            throw new InvalidOperationException("FT applied twice: the object is already in Fourier space");
        }

        state.Backend.Fft(state.Plan, state.Object, FftDirection.Forward);
        state.InFourierSpace = true;
        state.PreviousValid = false;
    }
}

/// <summary>Inverse FFT of the object in place (Fourier → real space).</summary>
[Description("Inverse FFT of the object (Fourier → real space).")]
public sealed class InverseFourierTransformOperator : PhasingOperator
{
    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.InFourierSpace)
        {
            throw new InvalidOperationException("IFT applied in real space: start with an FT");
        }

        state.Backend.Fft(state.Plan, state.Object, FftDirection.Inverse);
        state.InFourierSpace = false;
        state.PreviousValid = false;
    }
}

/// <summary>The modulus projection P_M in place, in Fourier space: measured pixels take the observed amplitude, others stay free; also records the metrics.</summary>
[Description("Modulus projection P_M in Fourier space (after FT); records the metrics.")]
public sealed class ModulusProjectionOperator : PhasingOperator
{
    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.InFourierSpace)
        {
            throw new InvalidOperationException("the modulus projection works in Fourier space: apply FT first");
        }

        var m = state.ProjectModulus(state.Object, project: true, metrics: true);
        state.Record(Name, m);
    }
}

/// <summary>The support projection P_S in place, in real space: zero outside the support, plus the state's positivity and real constraints.</summary>
[Description("Support projection P_S in real space, with the run's positivity and real constraints.")]
public sealed class SupportProjectionOperator : PhasingOperator
{
    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.InFourierSpace)
        {
            throw new InvalidOperationException("the support projection works in real space: apply IFT first");
        }

        state.Backend.UpdateObject(state.Object, null, state.Support, new ErRule(state.Positivity, state.Real));
        state.PreviousValid = false;
    }
}

/// <summary>Computes the metrics of the current object without changing it and records a sample.</summary>
[Description("Records the log-likelihood of the current object without changing it.")]
public sealed class MetricsOperator : PhasingOperator
{
    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Record(Name, state.EvaluateMetrics());
    }
}

/// <summary>
/// Shrink-wrap support update in place (<c>Sup</c>): blur |object| with a Gaussian whose σ decays geometrically from
/// <see cref="SupportUpdateSettings.SigmaStart"/> to <see cref="SupportUpdateSettings.SigmaEnd"/> over the planned updates,
/// threshold it relative to its maximum (or its rms inside the current support), and check the size guards, throwing
/// <see cref="SupportTooSmallException"/> or <see cref="SupportTooLargeException"/> when the support leaves them.
/// </summary>
[Description("Shrink-wrap support update: blur |ψ| (σ schedule), threshold relative to max or rms, size guards.")]
public sealed class SupportUpdateOperator : PhasingOperator
{
    /// <inheritdoc />
    public override int SupportUpdates => 1;

    /// <summary>σ (px) of update <paramref name="index"/> (from 0) out of <paramref name="planned"/>.</summary>
    public static float Sigma(SupportUpdateSettings settings, int index, int planned)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (planned <= 1)
        {
            return settings.SigmaStart;
        }

        var t = Math.Clamp(index / (double)(planned - 1), 0, 1);
        if (settings.SigmaStart > 0 && settings.SigmaEnd > 0)
        {
            return (float)(settings.SigmaStart * Math.Pow(settings.SigmaEnd / (double)settings.SigmaStart, t));
        }

        return (float)(settings.SigmaStart + ((settings.SigmaEnd - settings.SigmaStart) * t));
    }

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.InFourierSpace)
        {
            throw new InvalidOperationException("Sup works in real space: apply IFT first");
        }

        var settings = state.SupportSettings;
        var backend = state.Backend;

        // The previous object equals the object between cycles: free it while the scratch array is held (peak memory).
        state.ReleasePrevious();
        backend.Abs(state.Object, state.Scratch);
        backend.GaussianBlur(state.Scratch, Sigma(settings, state.SupportUpdatesDone, state.SupportUpdatesPlanned));
        float reference;
        if (settings.RelativeToMax)
        {
            reference = backend.Max(state.Scratch);
        }
        else
        {
            var (sum, count) = backend.SumOfSquares(state.Scratch, state.Support);
            reference = count == 0 ? 0 : (float)Math.Sqrt(sum / count);
        }

        var size = backend.Threshold(state.Scratch, settings.Threshold * reference, state.Support);
        state.ReleaseScratch();
        state.SupportSize = size;
        state.SupportUpdatesDone++;
        var total = state.Shape.Length;
        if (size < settings.MinFraction * total || size == 0)
        {
            throw new SupportTooSmallException(size, total, settings.MinFraction);
        }

        if (size > settings.MaxFraction * total)
        {
            throw new SupportTooLargeException(size, total, settings.MaxFraction);
        }
    }
}
