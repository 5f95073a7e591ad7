using Cxdi.Sdk.Data;

namespace Cxdi.Sdk.Compute;

/// <summary>
/// An opaque handle to an array that lives on a compute backend (host memory for the CPU backend, device memory for a GPU).
/// Only the backend that allocated it may read or write its elements; callers move data in and out with the backend's
/// upload and download methods. Dispose it to release the memory.
/// </summary>
public abstract class DeviceBuffer : IDisposable
{
    /// <summary>Creates the handle for an array of <paramref name="shape"/>.</summary>
    protected DeviceBuffer(Shape shape)
    {
        Shape = shape;
    }

    /// <summary>Shape of the array.</summary>
    public Shape Shape { get; }

    /// <summary>Number of elements.</summary>
    public long Length => Shape.Length;

    /// <summary>Bytes held on the device.</summary>
    public abstract long Bytes { get; }

    /// <summary>Releases the device memory.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the device memory; <paramref name="disposing"/> is false when called from a finalizer.</summary>
    protected abstract void Dispose(bool disposing);
}

/// <summary>A complex64 (two float32) array on a backend.</summary>
public abstract class ComplexBuffer(Shape shape) : DeviceBuffer(shape)
{
    /// <inheritdoc />
    public override long Bytes => Length * 8;
}

/// <summary>A float32 array on a backend.</summary>
public abstract class RealBuffer(Shape shape) : DeviceBuffer(shape)
{
    /// <inheritdoc />
    public override long Bytes => Length * 4;
}

/// <summary>A byte array on a backend: a support (1 inside) or a Fourier pixel class (see <see cref="PixelClass"/>).</summary>
public abstract class MaskBuffer(Shape shape) : DeviceBuffer(shape)
{
    /// <inheritdoc />
    public override long Bytes => Length;
}

/// <summary>An in-place FFT plan for one shape on a backend; dispose it to release the plan.</summary>
public abstract class FftPlan(Shape shape) : IDisposable
{
    /// <summary>The shape the plan transforms.</summary>
    public Shape Shape { get; } = shape;

    /// <summary>Implementation and threads, e.g. <c>FFTW 3.3.10, 2 threads</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Releases the plan.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the plan; <paramref name="disposing"/> is false when called from a finalizer.</summary>
    protected abstract void Dispose(bool disposing);
}
