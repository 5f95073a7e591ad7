using System.Runtime.InteropServices;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Compute;

/// <summary>Native 64-byte aligned, zero-filled memory of <paramref name="bytes"/> bytes, freed once.</summary>
internal sealed unsafe class NativeBlock(long bytes) : IDisposable
{
    private void* pointer = NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), 64);

    public void* Pointer => pointer != null ? pointer : throw new ObjectDisposedException(nameof(NativeBlock));

    public void Clear(long bytes) => NativeMemory.Clear(Pointer, (nuint)bytes);

    public void Dispose()
    {
        if (pointer != null)
        {
            NativeMemory.AlignedFree(pointer);
            pointer = null;
        }
    }
}

/// <summary>A complex64 array in aligned host memory.</summary>
internal sealed unsafe class CpuComplexBuffer : ComplexBuffer
{
    private readonly NativeBlock block;

    public CpuComplexBuffer(Shape shape)
        : base(shape)
    {
        block = new NativeBlock(Bytes);
        block.Clear(Bytes);
    }

    ~CpuComplexBuffer() => Dispose(false);

    public Complex32* Pointer => (Complex32*)block.Pointer;

    public Span<Complex32> Span => new(block.Pointer, checked((int)Length));

    protected override void Dispose(bool disposing) => block.Dispose();
}

/// <summary>A float32 array in aligned host memory.</summary>
internal sealed unsafe class CpuRealBuffer : RealBuffer
{
    private readonly NativeBlock block;

    public CpuRealBuffer(Shape shape)
        : base(shape)
    {
        block = new NativeBlock(Bytes);
        block.Clear(Bytes);
    }

    ~CpuRealBuffer() => Dispose(false);

    public float* Pointer => (float*)block.Pointer;

    public Span<float> Span => new(block.Pointer, checked((int)Length));

    protected override void Dispose(bool disposing) => block.Dispose();
}

/// <summary>A byte array in aligned host memory.</summary>
internal sealed unsafe class CpuMaskBuffer : MaskBuffer
{
    private readonly NativeBlock block;

    public CpuMaskBuffer(Shape shape)
        : base(shape)
    {
        block = new NativeBlock(Bytes);
        block.Clear(Bytes);
    }

    ~CpuMaskBuffer() => Dispose(false);

    public byte* Pointer => (byte*)block.Pointer;

    public Span<byte> Span => new(block.Pointer, checked((int)Length));

    protected override void Dispose(bool disposing) => block.Dispose();
}

/// <summary>An FFT plan wrapping one <see cref="Fft.IFftEngine"/>.</summary>
internal sealed class CpuFftPlan(Fft.IFftEngine engine) : FftPlan(engine.Shape)
{
    public Fft.IFftEngine Engine { get; } = engine;

    public override string Name => Engine.Name;

    protected override void Dispose(bool disposing) => Engine.Dispose();
}
