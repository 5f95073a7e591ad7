using System.Runtime.CompilerServices;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Operators;

/// <summary>
/// Per-run buffers of an operator that keeps an iterate between its cycles (ML, GPS, OSS, TV, PSF), held in
/// <see cref="PhasingState.Items"/> (an operator instance is shared by runs side by side). The buffers live on the run's
/// backend; <see cref="ValidCycle"/> tells whether the kept iterate still matches the state (no other operator ran since).
/// </summary>
internal abstract class OperatorWork : IDisposable
{
    private readonly List<DeviceBuffer> buffers = [];

    /// <summary>The <see cref="PhasingState.Cycle"/> at which the kept iterate is current; −1 when none.</summary>
    public int ValidCycle { get; set; } = -1;

    /// <summary>The <see cref="PhasingState.SupportUpdatesDone"/> when the iterate was kept.</summary>
    public int SupportVersion { get; set; } = -1;

    /// <summary>Cycles this operator kind ran in the run (schedules).</summary>
    public int Count { get; set; }

    /// <summary>True when the kept iterate is current: the previous cycle was this operator's and the support did not change.</summary>
    public bool IsCurrent(PhasingState state) => ValidCycle == state.Cycle && SupportVersion == state.SupportUpdatesDone;

    /// <summary>Marks the kept iterate current after a cycle of this operator (call after incrementing the cycle).</summary>
    public void MarkCurrent(PhasingState state)
    {
        ValidCycle = state.Cycle;
        SupportVersion = state.SupportUpdatesDone;
    }

    /// <summary>The work of kind <typeparamref name="T"/> of this run, created on first use.</summary>
    public static T For<T>(PhasingState state, string key, Func<PhasingState, T> create)
        where T : OperatorWork
    {
        if (state.Items.TryGetValue(key, out var existing) && existing is T work)
        {
            return work;
        }

        work = create(state);
        state.Items[key] = work;
        return work;
    }

    /// <summary>Allocates a complex buffer owned by this work.</summary>
    protected ComplexBuffer Complex(IComputeBackend backend, Shape shape)
    {
        var b = backend.AllocateComplex(shape);
        buffers.Add(b);
        return b;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var b in buffers)
        {
            b.Dispose();
        }

        buffers.Clear();
    }
}

/// <summary>Small helpers shared by the operators of this folder.</summary>
internal static class OperatorMath
{
    /// <summary>Largest array dimension N.</summary>
    public static int LargestDimension(Shape shape) => Math.Max(shape.Nx, Math.Max(shape.Ny, shape.Rank == 3 ? shape.Nz : 0));

    /// <summary>
    /// A stepped schedule: <paramref name="steps"/> equal stages over <paramref name="iterations"/> cycles, the value moving
    /// linearly from <paramref name="start"/> (first stage) to <paramref name="end"/> (last stage, kept after the schedule).
    /// </summary>
    public static float Stepped(int index, int iterations, int steps, float start, float end)
    {
        if (steps <= 1)
        {
            return start;
        }

        var stage = Math.Min(steps - 1, (int)((long)Math.Max(index, 0) * steps / Math.Max(iterations, 1)));
        return start + ((end - start) * stage / (steps - 1));
    }

    /// <summary>Throws when <paramref name="state"/> is in Fourier space: <paramref name="name"/> starts in real space.</summary>
    public static void RequireRealSpace(PhasingState state, string name)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.InFourierSpace)
        {
            throw new InvalidOperationException($"{name} starts in real space: close the FT with an IFT first");
        }
    }
}

/// <summary>Sets every pixel to <see cref="Inside"/> where the mask is non-zero and to <see cref="Outside"/> elsewhere.</summary>
public readonly record struct FillRule(Complex32 Inside, Complex32 Outside) : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside) => inside ? Inside : Outside;

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return false;
    }
}

/// <summary>
/// ψ ← ψ / |ψ|² (= 1/conj ψ) where the mask is zero (measured Fourier pixels when the mask is the pixel classes), 0 where
/// it is non-zero or |ψ|² is below 1e-30.
/// </summary>
public readonly record struct InverseConjugateRule : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside)
    {
        var n = (projected.Re * projected.Re) + (projected.Im * projected.Im);
        if (inside || !(n > 1e-30f))
        {
            return default;
        }

        return new Complex32(projected.Re / n, projected.Im / n);
    }

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return false;
    }
}

/// <summary>ψ ← ψ / √(|ψ|² + ε²) everywhere (the smoothed sign of a gradient component in total variation).</summary>
public readonly record struct SmoothSignRule(float EpsilonSquared) : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside)
    {
        var s = 1f / MathF.Sqrt((projected.Re * projected.Re) + (projected.Im * projected.Im) + EpsilonSquared);
        return new Complex32(projected.Re * s, projected.Im * s);
    }

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return false;
    }
}

/// <summary>ψ ← (|ψ|², 0): the intensity of a wave as a complex array.</summary>
public readonly record struct IntensityRule : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside) =>
        new((projected.Re * projected.Re) + (projected.Im * projected.Im), 0);

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return false;
    }
}

/// <summary>
/// From a model intensity m in the real part: (1/√m, 0) where the mask is zero (measured pixels), (1, 0)·<see cref="Unmeasured"/>
/// where it is non-zero; m is floored at <see cref="Floor"/>.
/// </summary>
public readonly record struct InverseSqrtRule(float Floor, float Unmeasured) : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside) =>
        inside ? new Complex32(Unmeasured, 0) : new Complex32(1f / MathF.Sqrt(MathF.Max(projected.Re, Floor)), 0);

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return false;
    }
}

/// <summary>(x, y) ← (max(x, 0), 0): keeps the non-negative real part (a point-spread function).</summary>
public readonly record struct PositiveRealRule : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside) => new(MathF.Max(projected.Re, 0), 0);

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return false;
    }
}

/// <summary>ψ ← conj ψ everywhere.</summary>
public readonly record struct ConjugateRule : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside) => new(projected.Re, -projected.Im);

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return false;
    }
}

/// <summary>ψ ← <see cref="Value"/> where the mask is non-zero, unchanged elsewhere.</summary>
public readonly record struct SetInsideRule(Complex32 Value) : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside) => inside ? Value : projected;

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return false;
    }
}

/// <summary>(m, ·) ← (√max(m, 0), 0): the amplitude of a model intensity held in the real part.</summary>
public readonly record struct SqrtRealRule : IObjectUpdateRule
{
    /// <inheritdoc />
    public bool ReadsPrevious => false;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Complex32 Apply(Complex32 projected, Complex32 previous, bool inside) => new(MathF.Sqrt(MathF.Max(projected.Re, 0)), 0);

    /// <inheritdoc />
    public bool IsLinear(out float previousWeight, out float projectedWeight)
    {
        previousWeight = 0;
        projectedWeight = 0;
        return false;
    }
}
