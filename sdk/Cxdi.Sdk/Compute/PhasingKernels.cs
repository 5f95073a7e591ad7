namespace Cxdi.Sdk.Compute;

/// <summary>What a Fourier-space pixel is during phasing, stored in a <see cref="MaskBuffer"/> used by <see cref="IComputeBackend.ProjectModulus"/>.</summary>
public static class PixelClass
{
    /// <summary>Measured: the modulus projection imposes its amplitude and it counts in the log-likelihood.</summary>
    public const byte Measured = 0;

    /// <summary>Unknown (masked: beamstop, gap, invalid): left free, its calculated amplitude is kept; never counted.</summary>
    public const byte Unknown = 1;

    /// <summary>Measured but held out: left free like an unknown pixel and counted only in the free log-likelihood.</summary>
    public const byte HeldOut = 2;
}

/// <summary>The real-space update that ends one projection cycle.</summary>
public enum ObjectUpdateKind
{
    /// <summary>Error reduction: ψ' = P_S P_M ψ (violating components set to 0).</summary>
    ErrorReduction,

    /// <summary>Hybrid input-output: ψ' = P_M ψ where the constraints hold, ψ − β P_M ψ where they are violated.</summary>
    HybridInputOutput,

    /// <summary>Relaxed averaged alternating reflections: ψ' = P_M ψ where the constraints hold, β ψ + (1 − 2β) P_M ψ where violated.</summary>
    Raar,

    /// <summary>Difference map (Douglas–Rachford form): ψ' = ψ + P_S(2 P_M ψ − ψ) − P_M ψ.</summary>
    DifferenceMap,

    /// <summary>Charge flipping: P_M ψ with the imaginary part negated where the constraints are violated.</summary>
    ChargeFlipping,
}

/// <summary>
/// Parameters of <see cref="IComputeBackend.UpdateObject"/>. A pixel's real part violates the constraints when it is outside
/// the support, or when <see cref="Positivity"/> is set and the real part of P_M ψ is negative; its imaginary part
/// violates them when it is outside the support or when <see cref="Real"/> is set. Each component is updated with the
/// algorithm's rule for satisfied or violated constraints.
/// </summary>
/// <param name="Kind">The algorithm.</param>
/// <param name="Beta">Feedback parameter of HIO and RAAR (typically 0.9 and 0.75).</param>
/// <param name="Positivity">Force the real part to be non-negative inside the support.</param>
/// <param name="Real">Force the object to be real (imaginary part treated as violating).</param>
public readonly record struct ObjectUpdate(ObjectUpdateKind Kind, float Beta = 0.9f, bool Positivity = false, bool Real = false);

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
