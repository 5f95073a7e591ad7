using System.Runtime.InteropServices;

namespace Cxdi.Sdk.Data;

/// <summary>A single-precision complex number laid out as two floats (re, im), binary-compatible with FFTW's fftwf_complex and CXI's compound {r, i}.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct Complex32(float Re, float Im)
{
    /// <summary>Squared modulus re² + im².</summary>
    public float Norm2 => (Re * Re) + (Im * Im);

    /// <summary>Modulus.</summary>
    public float Abs => MathF.Sqrt(Norm2);

    /// <summary>Argument in radians, in (−π, π].</summary>
    public float Phase => MathF.Atan2(Im, Re);

    /// <summary>Complex conjugate.</summary>
    public Complex32 Conjugate() => new(Re, -Im);

    /// <summary>Complex product.</summary>
    public static Complex32 operator *(Complex32 a, Complex32 b) => new((a.Re * b.Re) - (a.Im * b.Im), (a.Re * b.Im) + (a.Im * b.Re));

    /// <summary>Complex sum.</summary>
    public static Complex32 operator +(Complex32 a, Complex32 b) => new(a.Re + b.Re, a.Im + b.Im);

    /// <summary>Complex difference.</summary>
    public static Complex32 operator -(Complex32 a, Complex32 b) => new(a.Re - b.Re, a.Im - b.Im);

    /// <summary>Scaling by a real number.</summary>
    public static Complex32 operator *(float s, Complex32 a) => new(s * a.Re, s * a.Im);

    /// <summary>exp(iφ).</summary>
    public static Complex32 FromPolar(float modulus, float phase) => new(modulus * MathF.Cos(phase), modulus * MathF.Sin(phase));
}
