using Cxdi.Sdk.Data;

namespace Cxdi.Sdk.Compute;

/// <summary>What a Fourier-space pixel is during phasing, stored in a <see cref="MaskBuffer"/> used by <see cref="IComputeBackend.ProjectModulus"/>.</summary>
public static class PixelClass
{
    /// <summary>Measured: the modulus projection imposes its amplitude and it counts in the log-likelihood.</summary>
    public const byte Measured = 0;

    /// <summary>Unknown (masked: beamstop, gap, invalid): left free, its calculated amplitude is kept (or clamped into a predicted range, <see cref="IComputeBackend.ClampAmplitude"/>); never counted.</summary>
    public const byte Unknown = 1;

    /// <summary>Measured but held out: left free like an unknown pixel and counted only in the free log-likelihood.</summary>
    public const byte HeldOut = 2;
}

/// <summary>
/// One real-space update rule, as a struct passed as a type parameter so each backend inlines it into its kernel loop
/// (<see cref="IComputeBackend.UpdateObject{TRule}"/>). Constraint switches (positivity, a real object) and parameters
/// (β) are fields of the struct. Algorithms live in plugins; the contract holds no list of them.
/// </summary>
public interface IObjectUpdateRule
{
    /// <summary>True when <see cref="Apply"/> reads the previous object (feedback algorithms).</summary>
    bool ReadsPrevious { get; }

    /// <summary>The new value of one pixel from P_M ψ (<paramref name="projected"/>), ψ (<paramref name="previous"/>, default when not read) and whether the pixel is in the support.</summary>
    Complex32 Apply(Complex32 projected, Complex32 previous, bool inside);

    /// <summary>
    /// Describes the rule to kernels that vectorise it: true when the rule gives P_M ψ inside the support and
    /// <paramref name="previousWeight"/>·ψ + <paramref name="projectedWeight"/>·P_M ψ outside it, for every pixel
    /// (error reduction (0, 0), HIO (1, −β), RAAR (β, 1 − 2β)); false otherwise (kernels then call <see cref="Apply"/>).
    /// </summary>
    bool IsLinear(out float previousWeight, out float projectedWeight);
}

/// <summary>
/// Sums accumulated by <see cref="IComputeBackend.ProjectModulus"/> over the calculated intensity c = |ψ_k|² (forward FFT,
/// unscaled) and the observed intensity o. Per-pixel Poisson term: c − o + o·ln(o / c) (0·ln 0 = 0; c floored at 1e-20),
/// i.e. the negative Poisson log-likelihood minus that of the perfect model (half the Poisson deviance), 0 for a perfect fit.
/// Gaussian term: (c − o)² / (o + 1).
/// </summary>
public readonly record struct FourierMetrics
{
    /// <summary>Sum of the Poisson term over measured pixels.</summary>
    public double LlkSum { get; init; }

    /// <summary>Number of measured (not held-out) pixels.</summary>
    public long Count { get; init; }

    /// <summary>Sum of the Poisson term over held-out pixels.</summary>
    public double FreeLlkSum { get; init; }

    /// <summary>Number of held-out pixels.</summary>
    public long FreeCount { get; init; }

    /// <summary>Sum of the Gaussian term over measured pixels.</summary>
    public double Chi2Sum { get; init; }

    /// <summary>Sum of the calculated intensity over measured pixels.</summary>
    public double CalcSum { get; init; }

    /// <summary>Sum of the observed intensity over measured pixels.</summary>
    public double ObsSum { get; init; }

    /// <summary>Poisson log-likelihood per measured pixel.</summary>
    public double Llk => Count == 0 ? 0 : LlkSum / Count;

    /// <summary>Free Poisson log-likelihood per held-out pixel (0 when none is held out).</summary>
    public double FreeLlk => FreeCount == 0 ? 0 : FreeLlkSum / FreeCount;

    /// <summary>Gaussian χ² per measured pixel.</summary>
    public double Chi2 => Count == 0 ? 0 : Chi2Sum / Count;

    /// <summary>Adds two partial sums.</summary>
    public static FourierMetrics operator +(FourierMetrics a, FourierMetrics b) => new()
    {
        LlkSum = a.LlkSum + b.LlkSum,
        Count = a.Count + b.Count,
        FreeLlkSum = a.FreeLlkSum + b.FreeLlkSum,
        FreeCount = a.FreeCount + b.FreeCount,
        Chi2Sum = a.Chi2Sum + b.Chi2Sum,
        CalcSum = a.CalcSum + b.CalcSum,
        ObsSum = a.ObsSum + b.ObsSum,
    };
}

/// <summary>Energy (Σ|ψ|²) of a complex array inside and outside a support.</summary>
/// <param name="Inside">Σ|ψ|² where the support is non-zero.</param>
/// <param name="Outside">Σ|ψ|² where the support is zero.</param>
public readonly record struct SupportEnergy(double Inside, double Outside)
{
    /// <summary>Outside / (inside + outside); 0 for an all-zero array.</summary>
    public double OutsideFraction => Inside + Outside <= 0 ? 0 : Outside / (Inside + Outside);
}
