using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Util;

namespace Cxdi.Plugins.Gpu.Backends;

/// <summary>
/// The GPU kernels on an NVIDIA GPU through ILGPU's CUDA accelerator, with cuFFT C2C plans (ILGPU.Algorithms' bindings)
/// queued on the backend's own stream. Data stay in device memory for the whole run; the inverse FFT's 1/N is folded into
/// the next kernel. <see cref="AvailableMemory"/> is the device's free memory less a reserve for cuFFT work areas, and
/// allocations larger than that are refused before they are tried.
/// </summary>
public sealed class CudaBackend : IlgpuBackend
{
    /// <summary>Device memory kept free for cuFFT work areas and the driver.</summary>
    public const long Reserve = 256L << 20;

    private readonly Context context;
    private readonly CudaAccelerator cuda;
    private readonly CudaStream stream;
    private readonly CuFFT cufft;

    private CudaBackend(Context context, CudaAccelerator accelerator, CudaStream stream, CuFFT cufft)
        : base(accelerator, stream, accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerMultiprocessor)
    {
        this.context = context;
        cuda = accelerator;
        this.stream = stream;
        this.cufft = cufft;
    }

    /// <inheritdoc />
    public override string Name => "cuda";

    /// <inheritdoc />
    public override string FftName => $"cuFFT on {cuda.Name} ({cuda.Architecture})";

    /// <inheritdoc />
    public override long AvailableMemory
    {
        get
        {
            Enter();
            return Math.Max(0, cuda.GetFreeMemory() - Reserve);
        }
    }

    /// <summary>Creates a backend on CUDA device <paramref name="deviceIndex"/>; call <see cref="CudaProbe.IsAvailable"/> first.</summary>
    public static CudaBackend Create(int deviceIndex)
    {
        var context = Context.Create(builder => builder.Cuda().Optimize(OptimizationLevel.O2));
        CudaAccelerator? accelerator = null;
        try
        {
            accelerator = context.CreateCudaAccelerator(deviceIndex);
            var stream = (CudaStream)accelerator.CreateStream();
            var cufft = new CuFFT();
            return new CudaBackend(context, accelerator, stream, cufft);
        }
        catch
        {
            accelerator?.Dispose();
            context.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override FftPlan CreateFftPlan(Shape shape)
    {
        Enter();
        CuFFTResult result;
        CuFFTPlan? plan;
        if (shape.Rank == 3)
        {
            result = cufft.Plan3D(out plan, shape.Nz, shape.Ny, shape.Nx, CuFFTType.CUFFT_C2C);
        }
        else
        {
            result = cufft.Plan2D(out plan, shape.Ny, shape.Nx, CuFFTType.CUFFT_C2C);
        }

        CuFFTException.ThrowIfFailed(result);
        if (plan is null)
        {
            throw new InvalidOperationException($"cuFFT made no plan for {shape}");
        }

        plan.SetStream(stream);
        return new CudaPlan(shape, plan, $"cuFFT C2C {shape}");
    }

    /// <inheritdoc />
    private protected override void Transform(FftPlan plan, GpuComplex data, FftDirection direction)
    {
        var p = plan as CudaPlan ?? throw new ArgumentException("the plan was not made by the CUDA backend", nameof(plan));
        var view = data.View.Cast<Float2>();
        CuFFTException.ThrowIfFailed(p.Plan.ExecC2C(view, view, direction == FftDirection.Forward ? CuFFTDirection.FORWARD : CuFFTDirection.INVERSE));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            stream.Dispose();
            cuda.Dispose();
            context.Dispose();
        }
    }

    private sealed class CudaPlan(Shape shape, CuFFTPlan plan, string name) : FftPlan(shape)
    {
        public CuFFTPlan Plan { get; } = plan;

        public override string Name { get; } = name;

        protected override void Dispose(bool disposing) => Plan.Dispose();
    }
}
