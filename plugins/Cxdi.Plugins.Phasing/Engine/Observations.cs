using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>
/// The observed amplitudes and pixel classes of a <see cref="PreparedData"/> uploaded once to a backend: every run on
/// that backend and on its forks reads them (they are never written), so N runs side by side hold one copy, not N.
/// </summary>
internal sealed class Observations : IDisposable
{
    private Observations(Shape shape, RealBuffer amplitude, MaskBuffer classes)
    {
        Shape = shape;
        Amplitude = amplitude;
        Classes = classes;
    }

    /// <summary>Array shape.</summary>
    public Shape Shape { get; }

    /// <summary>√I in FFT order, 0 where unknown.</summary>
    public RealBuffer Amplitude { get; }

    /// <summary><see cref="PixelClass"/> per pixel in FFT order.</summary>
    public MaskBuffer Classes { get; }

    /// <summary>Uploads the arrays of <paramref name="data"/> to <paramref name="backend"/>.</summary>
    public static Observations Upload(IComputeBackend backend, PreparedData data)
    {
        var amplitude = backend.AllocateReal(data.Shape);
        var classes = backend.AllocateMask(data.Shape);
        backend.Upload(data.Amplitude, amplitude);
        backend.Upload(data.Classes, classes);
        return new Observations(data.Shape, amplitude, classes);
    }

    /// <summary>Uploads <paramref name="amplitude"/> and <paramref name="classes"/> (FFT order) of an array of <paramref name="shape"/> to <paramref name="backend"/>.</summary>
    public static Observations Upload(IComputeBackend backend, Shape shape, float[] amplitude, byte[] classes)
    {
        var amplitudeBuffer = backend.AllocateReal(shape);
        var classBuffer = backend.AllocateMask(shape);
        backend.Upload(amplitude, amplitudeBuffer);
        backend.Upload(classes, classBuffer);
        return new Observations(shape, amplitudeBuffer, classBuffer);
    }

    /// <summary>Copies the arrays back to the host.</summary>
    public (float[] Amplitude, byte[] Classes) Download(IComputeBackend backend)
    {
        var amplitude = new float[Shape.Length];
        var classes = new byte[Shape.Length];
        backend.Download(Amplitude, amplitude);
        backend.Download(Classes, classes);
        return (amplitude, classes);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Amplitude.Dispose();
        Classes.Dispose();
    }
}
