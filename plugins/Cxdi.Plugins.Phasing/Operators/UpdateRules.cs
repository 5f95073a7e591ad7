using System.Runtime.CompilerServices;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Operators;

/// <summary>
/// Error reduction: components that violate the constraints are set to 0. The real part violates them outside the support
/// or, with <paramref name="Positivity"/>, where Re(P_M ψ) &lt; 0; the imaginary part outside the support or when the object
/// must be <paramref name="Real"/>.
/// </summary>
public readonly record struct ErRule(bool Positivity, bool Real) : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside)
    {
        var reBad = !inside || (Positivity && projected.Re < 0);
        var imBad = !inside || Real;
        return new Complex32(reBad ? 0 : projected.Re, imBad ? 0 : projected.Im);
    }

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return !Positivity && !Real;
    }
}

/// <summary>Hybrid input-output: violating components (as for <see cref="ErRule"/>) become ψ − β P_M ψ.</summary>
public readonly record struct HioRule(float Beta, bool Positivity, bool Real) : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => true;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside)
    {
        var reBad = !inside || (Positivity && projected.Re < 0);
        var imBad = !inside || Real;
        return new Complex32(reBad ? previous.Re - (Beta * projected.Re) : projected.Re, imBad ? previous.Im - (Beta * projected.Im) : projected.Im);
    }

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 1;
        projectedWeight = -Beta;
        return !Positivity && !Real;
    }
}

/// <summary>RAAR: violating components (as for <see cref="ErRule"/>) become β ψ + (1 − 2β) P_M ψ.</summary>
public readonly record struct RaarRule(float Beta, bool Positivity, bool Real) : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => true;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside)
    {
        var reBad = !inside || (Positivity && projected.Re < 0);
        var imBad = !inside || Real;
        var k = 1 - (2 * Beta);
        return new Complex32(reBad ? (Beta * previous.Re) + (k * projected.Re) : projected.Re, imBad ? (Beta * previous.Im) + (k * projected.Im) : projected.Im);
    }

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = Beta;
        projectedWeight = 1 - (2 * Beta);
        return !Positivity && !Real;
    }
}

/// <summary>Difference map: ψ + P_S(2 P_M ψ − ψ) − P_M ψ, P_S zeroing the components of its argument that violate the constraints.</summary>
public readonly record struct DmRule(bool Positivity, bool Real) : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => true;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside)
    {
        var xr = (2 * projected.Re) - previous.Re;
        var xi = (2 * projected.Im) - previous.Im;
        var pr = !inside || (Positivity && xr < 0) ? 0 : xr;
        var pi = !inside || Real ? 0 : xi;
        return new Complex32(previous.Re + pr - projected.Re, previous.Im + pi - projected.Im);
    }

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return false;
    }
}

/// <summary>Charge flipping: the imaginary part is negated where the real part violates the constraints.</summary>
public readonly record struct CfRule(bool Positivity) : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside)
    {
        var bad = !inside || (Positivity && projected.Re < 0);
        return new Complex32(projected.Re, bad ? -projected.Im : projected.Im);
    }

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return false;
    }
}
