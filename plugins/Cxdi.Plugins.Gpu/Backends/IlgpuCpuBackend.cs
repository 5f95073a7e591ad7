using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace Cxdi.Plugins.Gpu.Backends;

/// <summary>
/// The GPU kernels on ILGPU's CPU accelerator (a small simulated device run sequentially) with <see cref="HostFft"/>
/// standing in for cuFFT: the same kernel code as <c>cxdi.cuda</c>, checkable on any machine. It is a kernel debugger, not
/// a compute path — hundreds of times slower than <c>cxdi.cpu</c>; use it for tests and small problems only.
/// </summary>
public sealed class IlgpuCpuBackend : IlgpuBackend
{
    /// <summary>Threads of the simulated device (4 per warp × 4 warps on one multiprocessor).</summary>
    public const int SimulatedThreads = 16;

    private readonly Context context;

    private IlgpuCpuBackend(Context context, CPUAccelerator accelerator)
        : base(accelerator, accelerator.DefaultStream, SimulatedThreads)
    {
        this.context = context;
    }

    /// <inheritdoc />
    public override string Name => "ilgpu-cpu";

    /// <inheritdoc />
    public override string FftName => "managed double-precision FFT on the host (stands in for cuFFT)";

    /// <inheritdoc />
    public override long AvailableMemory => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes - GC.GetTotalMemory(false);

    /// <summary>Creates the context, the simulated device and the kernels.</summary>
    public static IlgpuCpuBackend Create()
    {
        var device = new CPUDevice(4, 4, 1);
        var context = Context.Create(builder => builder.CPU(device));
        try
        {
            var accelerator = device.CreateCPUAccelerator(context, CPUAcceleratorMode.Sequential);
            return new IlgpuCpuBackend(context, accelerator);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    protected override bool NativeRuleLayout => true;

    /// <inheritdoc />
    public override FftPlan CreateFftPlan(Shape shape) => new HostPlan(shape);

    /// <inheritdoc />
    private protected override void Transform(FftPlan plan, GpuComplex data, FftDirection direction)
    {
        var host = new Complex32[data.Length];
        data.Memory.View.CopyToCPU(Stream, host.AsSpan());
        Stream.Synchronize();
        HostFft.Transform(host, data.Shape, direction == FftDirection.Forward ? -1 : 1);
        data.Memory.View.CopyFromCPU(Stream, host.AsSpan());
        Stream.Synchronize();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Accelerator.Dispose();
            context.Dispose();
        }
    }

    private sealed class HostPlan(Shape shape) : FftPlan(shape)
    {
        public override string Name => "managed double-precision FFT (host)";

        protected override void Dispose(bool disposing)
        {
        }
    }
}
