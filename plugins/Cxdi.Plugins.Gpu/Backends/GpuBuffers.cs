using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using ILGPU;
using ILGPU.Runtime;

namespace Cxdi.Plugins.Gpu.Backends;

/// <summary>
/// A complex64 array in accelerator memory. <see cref="Pending"/> is a factor not yet applied to the stored values (the
/// 1/N of an inverse FFT): the true values are Pending · stored, and the next kernel that reads the buffer folds it in.
/// </summary>
internal sealed class GpuComplex(Shape shape, MemoryBuffer1D<Complex32, Stride1D.Dense> memory, IlgpuBackend owner) : ComplexBuffer(shape)
{
    public MemoryBuffer1D<Complex32, Stride1D.Dense> Memory { get; } = memory;

    public ArrayView<Complex32> View => Memory.View;

    public IlgpuBackend Owner { get; } = owner;

    public float Pending { get; set; } = 1f;

    protected override void Dispose(bool disposing) => Memory.Dispose();
}

/// <summary>A float32 array in accelerator memory.</summary>
internal sealed class GpuReal(Shape shape, MemoryBuffer1D<float, Stride1D.Dense> memory, IlgpuBackend owner) : RealBuffer(shape)
{
    public MemoryBuffer1D<float, Stride1D.Dense> Memory { get; } = memory;

    public ArrayView<float> View => Memory.View;

    public IlgpuBackend Owner { get; } = owner;

    protected override void Dispose(bool disposing) => Memory.Dispose();
}

/// <summary>A byte array in accelerator memory.</summary>
internal sealed class GpuMask(Shape shape, MemoryBuffer1D<byte, Stride1D.Dense> memory, IlgpuBackend owner) : MaskBuffer(shape)
{
    public MemoryBuffer1D<byte, Stride1D.Dense> Memory { get; } = memory;

    public ArrayView<byte> View => Memory.View;

    public IlgpuBackend Owner { get; } = owner;

    protected override void Dispose(bool disposing) => Memory.Dispose();
}
