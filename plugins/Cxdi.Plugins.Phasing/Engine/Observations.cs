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

    /// <summary>√(raw counts) in FFT order when the data were denoised (every metric and the final cycles use it), else null.</summary>
    public RealBuffer? RawAmplitude { get; private init; }

    /// <summary>√(lower intensity bound) at bounded unknown pixels, NaN elsewhere; null without bounds.</summary>
    public RealBuffer? LowerAmplitude { get; private init; }

    /// <summary>√(upper intensity bound) at bounded unknown pixels, NaN elsewhere; null without bounds.</summary>
    public RealBuffer? UpperAmplitude { get; private init; }

    /// <summary>Uploads the arrays of <paramref name="data"/> to <paramref name="backend"/>.</summary>
    public static Observations Upload(IComputeBackend backend, PreparedData data)
    {
        var amplitude = backend.AllocateReal(data.Shape);
        var classes = backend.AllocateMask(data.Shape);
        backend.Upload(data.Amplitude, amplitude);
        backend.Upload(data.Classes, classes);
        return new Observations(data.Shape, amplitude, classes)
        {
            RawAmplitude = UploadOptional(backend, data.Shape, data.RawAmplitude),
            LowerAmplitude = UploadOptional(backend, data.Shape, data.LowerAmplitude),
            UpperAmplitude = UploadOptional(backend, data.Shape, data.UpperAmplitude),
        };
    }

    /// <summary>Sets the optional arrays (raw amplitudes, bounds) on a run's state.</summary>
    public void Attach(Cxdi.Sdk.Phasing.PhasingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.RawAmplitude = RawAmplitude;
        state.LowerAmplitude = LowerAmplitude;
        state.UpperAmplitude = UpperAmplitude;
    }

    private static RealBuffer? UploadOptional(IComputeBackend backend, Shape shape, float[]? values)
    {
        if (values is null)
        {
            return null;
        }

        var buffer = backend.AllocateReal(shape);
        backend.Upload(values, buffer);
        return buffer;
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

    /// <summary>Copies the arrays back to the host: the amplitudes phased against, or with <paramref name="raw"/> the raw counts' when a denoiser left them (the measured data, for the PRTF).</summary>
    public (float[] Amplitude, byte[] Classes) Download(IComputeBackend backend, bool raw = false)
    {
        var amplitude = new float[Shape.Length];
        var classes = new byte[Shape.Length];
        backend.Download(raw && RawAmplitude is { } measured ? measured : Amplitude, amplitude);
        backend.Download(Classes, classes);
        return (amplitude, classes);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Amplitude.Dispose();
        Classes.Dispose();
        RawAmplitude?.Dispose();
        LowerAmplitude?.Dispose();
        UpperAmplitude?.Dispose();
    }
}
