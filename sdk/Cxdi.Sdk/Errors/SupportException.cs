namespace Cxdi.Sdk.Errors;

/// <summary>The support left its allowed range during shrink-wrap; the runner may retry with an adjusted threshold.</summary>
public abstract class SupportException(string message, long size, long total, string? hint) : CxdiException(message, hint)
{
    /// <summary>Support size in pixels when the guard tripped.</summary>
    public long Size { get; } = size;

    /// <summary>Pixels in the array.</summary>
    public long Total { get; } = total;

    /// <summary>Size / total.</summary>
    public double Fraction => Total == 0 ? 0 : (double)Size / Total;

    /// <inheritdoc />
    public override bool IsInputError => false;
}

/// <summary>The support shrank below the allowed fraction of the array (threshold too high, or the run diverged).</summary>
public sealed class SupportTooSmallException(long size, long total, double minFraction)
    : SupportException($"support shrank to {size} pixels ({100.0 * size / Math.Max(total, 1):F3} % of the array), below the minimum {100 * minFraction:F3} %", size, total, "lower the support threshold or raise the smoothing")
{
}

/// <summary>The support grew above the allowed fraction of the array (threshold too low, or the oversampling too small).</summary>
public sealed class SupportTooLargeException(long size, long total, double maxFraction)
    : SupportException($"support grew to {size} pixels ({100.0 * size / Math.Max(total, 1):F2} % of the array), above the maximum {100 * maxFraction:F2} %", size, total, "raise the support threshold or check the oversampling")
{
}

/// <summary>A numerical failure in a run (NaN, divergence) with an explanation.</summary>
public sealed class PhasingFailedException(string message, string? hint = null) : CxdiException(message, hint)
{
    /// <inheritdoc />
    public override bool IsInputError => false;
}
