using System.Runtime.CompilerServices;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Compute;

/// <summary>
/// One real-space update rule, as a struct so the JIT inlines it into the kernel loop. <c>pm</c> is P_M ψ, <c>old</c> is ψ.
/// The real part violates the constraints outside the support or, with positivity, where Re(P_M ψ) &lt; 0; the imaginary
/// part violates them outside the support or when the object must be real.
/// </summary>
internal interface IUpdateRule
{
    /// <summary>The new value of one pixel.</summary>
    Complex32 Apply(Complex32 pm, Complex32 old, bool inside, bool positivity, bool real, float beta);
}

/// <summary>Error reduction: violating components set to 0.</summary>
internal readonly struct ErRule : IUpdateRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 pm, Complex32 old, bool inside, bool positivity, bool real, float beta)
    {
        var reBad = !inside || (positivity && pm.Re < 0);
        var imBad = !inside || real;
        return new Complex32(reBad ? 0 : pm.Re, imBad ? 0 : pm.Im);
    }
}

/// <summary>Hybrid input-output: violating components become ψ − β P_M ψ.</summary>
internal readonly struct HioRule : IUpdateRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 pm, Complex32 old, bool inside, bool positivity, bool real, float beta)
    {
        var reBad = !inside || (positivity && pm.Re < 0);
        var imBad = !inside || real;
        return new Complex32(reBad ? old.Re - (beta * pm.Re) : pm.Re, imBad ? old.Im - (beta * pm.Im) : pm.Im);
    }
}

/// <summary>RAAR: violating components become β ψ + (1 − 2β) P_M ψ.</summary>
internal readonly struct RaarRule : IUpdateRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 pm, Complex32 old, bool inside, bool positivity, bool real, float beta)
    {
        var reBad = !inside || (positivity && pm.Re < 0);
        var imBad = !inside || real;
        var k = 1 - (2 * beta);
        return new Complex32(reBad ? (beta * old.Re) + (k * pm.Re) : pm.Re, imBad ? (beta * old.Im) + (k * pm.Im) : pm.Im);
    }
}

/// <summary>Difference map: ψ + P_S(2 P_M ψ − ψ) − P_M ψ, P_S zeroing the components of its argument that violate the constraints.</summary>
internal readonly struct DmRule : IUpdateRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 pm, Complex32 old, bool inside, bool positivity, bool real, float beta)
    {
        var xr = (2 * pm.Re) - old.Re;
        var xi = (2 * pm.Im) - old.Im;
        var pr = !inside || (positivity && xr < 0) ? 0 : xr;
        var pi = !inside || real ? 0 : xi;
        return new Complex32(old.Re + pr - pm.Re, old.Im + pi - pm.Im);
    }
}

/// <summary>Charge flipping: the imaginary part is negated where the real part violates the constraints.</summary>
internal readonly struct CfRule : IUpdateRule
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 pm, Complex32 old, bool inside, bool positivity, bool real, float beta)
    {
        var bad = !inside || (positivity && pm.Re < 0);
        return new Complex32(pm.Re, bad ? -pm.Im : pm.Im);
    }
}
