using Cxdi.Sdk.Data;

namespace Cxdi.Sdk.Compute;

/// <summary>
/// Base of a compute backend: implement the <see cref="IComputeCore"/> members (abstract here) and the backend runs every
/// operator. The fused kernels are virtual with managed defaults: each downloads its operands, runs the
/// <see cref="ManagedKernels"/> loop on the host and uploads the result, which is correct on any device but costs a round
/// trip per call. Override the kernels a backend accelerates, one at a time; the conformance suite checks each against
/// <see cref="ManagedKernels"/>.
/// </summary>
public abstract class ComputeBackendBase : IComputeBackend
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract string FftName { get; }

    /// <inheritdoc />
    public abstract long AvailableMemory { get; }

    /// <inheritdoc />
    public abstract ComplexBuffer AllocateComplex(Shape shape);

    /// <inheritdoc />
    public abstract RealBuffer AllocateReal(Shape shape);

    /// <inheritdoc />
    public abstract MaskBuffer AllocateMask(Shape shape);

    /// <inheritdoc />
    public abstract void Upload(ReadOnlySpan<Complex32> source, ComplexBuffer destination);

    /// <inheritdoc />
    public abstract void Upload(ReadOnlySpan<float> source, RealBuffer destination);

    /// <inheritdoc />
    public abstract void Upload(ReadOnlySpan<byte> source, MaskBuffer destination);

    /// <inheritdoc />
    public abstract void Download(ComplexBuffer source, Span<Complex32> destination);

    /// <inheritdoc />
    public abstract void Download(RealBuffer source, Span<float> destination);

    /// <inheritdoc />
    public abstract void Download(MaskBuffer source, Span<byte> destination);

    /// <inheritdoc />
    public abstract FftPlan CreateFftPlan(Shape shape);

    /// <inheritdoc />
    public abstract void Fft(FftPlan plan, ComplexBuffer data, FftDirection direction);

    /// <inheritdoc />
    public abstract void Copy(ComplexBuffer source, ComplexBuffer destination);

    /// <inheritdoc />
    public abstract void Scale(ComplexBuffer data, float factor);

    /// <inheritdoc />
    public abstract void Scale(ComplexBuffer data, MaskBuffer mask, float inside, float outside);

    /// <inheritdoc />
    public abstract void Multiply(ComplexBuffer data, RealBuffer factor);

    /// <inheritdoc />
    public abstract void Multiply(ComplexBuffer data, ComplexBuffer factor);

    /// <inheritdoc />
    public abstract void Axpby(float a, ComplexBuffer x, float b, ComplexBuffer y);

    /// <inheritdoc />
    public abstract void Abs(ComplexBuffer source, RealBuffer destination);

    /// <inheritdoc />
    public abstract void AbsSquared(ComplexBuffer source, RealBuffer destination);

    /// <inheritdoc />
    public abstract long Threshold(RealBuffer data, float level, MaskBuffer mask);

    /// <inheritdoc />
    public abstract double Sum(RealBuffer data);

    /// <inheritdoc />
    public abstract (double SumOfSquares, long Count) SumOfSquares(RealBuffer data, MaskBuffer? where);

    /// <inheritdoc />
    public abstract float Max(RealBuffer data);

    /// <inheritdoc />
    public abstract System.Numerics.Complex Dot(ComplexBuffer a, ComplexBuffer b);

    /// <inheritdoc />
    public abstract long Count(MaskBuffer mask);

    /// <inheritdoc />
    public virtual void Transform(Span<Complex32> data, Shape shape, FftDirection direction)
    {
        if (data.Length != shape.Length)
        {
            throw new ArgumentException($"data holds {data.Length} values, shape {shape} needs {shape.Length}", nameof(data));
        }

        using var buffer = AllocateComplex(shape);
        using var plan = CreateFftPlan(shape);
        Upload(data, buffer);
        Fft(plan, buffer, direction);
        Download(buffer, data);
    }

    /// <inheritdoc />
    public virtual FourierMetrics ProjectModulus(ComplexBuffer psi, RealBuffer observedAmplitude, MaskBuffer pixelClass, bool project, bool metrics)
    {
        var values = Fetch(psi);
        var result = ManagedKernels.ProjectModulus(values, Fetch(observedAmplitude), Fetch(pixelClass), project, metrics);
        if (project)
        {
            Upload(values, psi);
        }

        return result;
    }

    /// <inheritdoc />
    public virtual long ClampAmplitude(ComplexBuffer psi, RealBuffer lowerAmplitude, RealBuffer upperAmplitude, MaskBuffer pixelClass)
    {
        var values = Fetch(psi);
        var changed = ManagedKernels.ClampAmplitude(values, Fetch(lowerAmplitude), Fetch(upperAmplitude), Fetch(pixelClass));
        if (changed > 0)
        {
            Upload(values, psi);
        }

        return changed;
    }

    /// <inheritdoc />
    public virtual void UpdateObject<TRule>(ComplexBuffer current, ComplexBuffer? previous, MaskBuffer support, TRule rule)
        where TRule : struct, IObjectUpdateRule
    {
        if (previous is null && rule.ReadsPrevious)
        {
            throw new ArgumentNullException(nameof(previous), $"{typeof(TRule).Name} reads the previous object");
        }

        var values = Fetch(current);
        var old = previous is null ? [] : Fetch(previous);
        ManagedKernels.UpdateObject(values, old, Fetch(support), rule);
        Upload(values, current);
        if (previous is not null)
        {
            Upload(old, previous);
        }
    }

    /// <inheritdoc />
    public virtual void GaussianBlur(RealBuffer data, float sigma)
    {
        if (!(sigma > 0))
        {
            return;
        }

        var values = Fetch(data);
        ManagedKernels.GaussianBlur(values, data.Shape, sigma);
        Upload(values, data);
    }

    /// <inheritdoc />
    public virtual void GaussianFourierFilter(ComplexBuffer spectrum, float sigma)
    {
        if (float.IsPositiveInfinity(sigma))
        {
            return;
        }

        var values = Fetch(spectrum);
        ManagedKernels.GaussianFourierFilter(values, spectrum.Shape, sigma);
        Upload(values, spectrum);
    }

    /// <inheritdoc />
    public virtual SupportEnergy Energy(ComplexBuffer data, MaskBuffer support) => ManagedKernels.Energy(Fetch(data), Fetch(support));

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the backend's resources; <paramref name="disposing"/> is false when called from a finalizer.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>A host copy of a device buffer.</summary>
    protected Complex32[] Fetch(ComplexBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var host = new Complex32[buffer.Length];
        Download(buffer, host);
        return host;
    }

    /// <summary>A host copy of a device buffer.</summary>
    protected float[] Fetch(RealBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var host = new float[buffer.Length];
        Download(buffer, host);
        return host;
    }

    /// <summary>A host copy of a device buffer.</summary>
    protected byte[] Fetch(MaskBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var host = new byte[buffer.Length];
        Download(buffer, host);
        return host;
    }
}
