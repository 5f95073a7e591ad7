using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Errors;

namespace Cxdi.Plugins.Phasing.Operators;

/// <summary>
/// An operation on a <see cref="PhasingState"/>, applied IN PLACE: <see cref="Apply"/> mutates the state and returns
/// nothing. Operators compose like PyNX: <c>a * b</c> applies <c>b</c> first, then <c>a</c> (right to left), and
/// <c>a.Repeat(n)</c> applies <c>a</c> n times (<c>a**n</c> in operator strings).
/// </summary>
public abstract class PhasingOperator
{
    /// <summary>Applies the operator to <paramref name="state"/>, modifying it in place.</summary>
    public abstract void Apply(PhasingState state);

    /// <summary>Projection cycles this operator runs.</summary>
    public abstract int Cycles { get; }

    /// <summary>Support updates this operator runs.</summary>
    public abstract int SupportUpdates { get; }

    /// <summary>The composition <paramref name="left"/> ∘ <paramref name="right"/>: <paramref name="right"/> runs first.</summary>
    public static PhasingOperator operator *(PhasingOperator left, PhasingOperator right) => new SequenceOperator(left, right);

    /// <summary>This operator applied <paramref name="count"/> times in a row.</summary>
    public PhasingOperator Repeat(int count) => count >= 1 ? new RepeatOperator(this, count) : throw new ArgumentOutOfRangeException(nameof(count), count, "a repeat count must be at least 1");
}

/// <summary>Two operators in sequence: <see cref="Right"/> first, then <see cref="Left"/>.</summary>
public sealed class SequenceOperator(PhasingOperator left, PhasingOperator right) : PhasingOperator
{
    /// <summary>Runs second.</summary>
    public PhasingOperator Left { get; } = left;

    /// <summary>Runs first.</summary>
    public PhasingOperator Right { get; } = right;

    /// <inheritdoc />
    public override int Cycles => Left.Cycles + Right.Cycles;

    /// <inheritdoc />
    public override int SupportUpdates => Left.SupportUpdates + Right.SupportUpdates;

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        Right.Apply(state);
        Left.Apply(state);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Left} * {Right}";
}

/// <summary>An operator applied <see cref="Count"/> times.</summary>
public sealed class RepeatOperator(PhasingOperator inner, int count) : PhasingOperator
{
    /// <summary>The repeated operator.</summary>
    public PhasingOperator Inner { get; } = inner;

    /// <summary>Repetitions.</summary>
    public int Count { get; } = count;

    /// <inheritdoc />
    public override int Cycles => Inner.Cycles * Count;

    /// <inheritdoc />
    public override int SupportUpdates => Inner.SupportUpdates * Count;

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        for (var i = 0; i < Count; i++)
        {
            Inner.Apply(state);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Inner is SequenceOperator ? $"({Inner})**{Count}" : $"{Inner}**{Count}";
}

/// <summary>
/// One projection cycle in place: FT, modulus projection (measured pixels take the observed amplitude, unknown and
/// held-out pixels stay free; metrics fused in the same pass every <see cref="PhasingState.MetricEvery"/> cycles), IFT,
/// then the real-space update of <see cref="Kind"/> with the state's support, positivity and real constraints.
/// </summary>
public sealed class CycleOperator(ObjectUpdateKind kind, float beta, string name) : PhasingOperator
{
    /// <summary>The real-space update.</summary>
    public ObjectUpdateKind Kind { get; } = kind;

    /// <summary>Feedback parameter (HIO, RAAR).</summary>
    public float Beta { get; } = beta;

    /// <summary>Name in operator strings (ER, HIO…).</summary>
    public string Name { get; } = name;

    /// <inheritdoc />
    public override int Cycles => 1;

    /// <inheritdoc />
    public override int SupportUpdates => 0;

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        if (state.InFourierSpace)
        {
            throw new InvalidOperationException($"{Name} starts in real space: close the FT with an IFT first");
        }

        if (!state.PreviousValid)
        {
            state.SyncPrevious();
        }

        var backend = state.Backend;
        var metrics = (state.Cycle + 1) % Math.Max(1, state.MetricEvery) == 0;
        backend.Fft(state.Plan, state.Object, FftDirection.Forward);
        var m = backend.ProjectModulus(state.Object, state.ObservedAmplitude, state.PixelClasses, project: true, metrics);
        backend.Fft(state.Plan, state.Object, FftDirection.Inverse);
        backend.UpdateObject(state.Object, state.Previous, state.Support, new ObjectUpdate(Kind, Beta, state.Positivity, state.Real));
        state.Cycle++;
        if (metrics)
        {
            state.Record(Name, m);
        }

        state.AfterCycle?.Invoke(state);
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Forward FFT of the object in place (real → Fourier space).</summary>
public sealed class FourierTransformOperator : PhasingOperator
{
    /// <inheritdoc />
    public override int Cycles => 0;

    /// <inheritdoc />
    public override int SupportUpdates => 0;

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        if (state.InFourierSpace)
        {
            throw new InvalidOperationException("FT applied twice: the object is already in Fourier space");
        }

        state.Backend.Fft(state.Plan, state.Object, FftDirection.Forward);
        state.InFourierSpace = true;
        state.PreviousValid = false;
    }

    /// <inheritdoc />
    public override string ToString() => "FT";
}

/// <summary>Inverse FFT of the object in place (Fourier → real space).</summary>
public sealed class InverseFourierTransformOperator : PhasingOperator
{
    /// <inheritdoc />
    public override int Cycles => 0;

    /// <inheritdoc />
    public override int SupportUpdates => 0;

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        if (!state.InFourierSpace)
        {
            throw new InvalidOperationException("IFT applied in real space: start with an FT");
        }

        state.Backend.Fft(state.Plan, state.Object, FftDirection.Inverse);
        state.InFourierSpace = false;
        state.PreviousValid = false;
    }

    /// <inheritdoc />
    public override string ToString() => "IFT";
}

/// <summary>The modulus projection P_M in place, in Fourier space: measured pixels take the observed amplitude, others stay free; also records the metrics.</summary>
public sealed class ModulusProjectionOperator : PhasingOperator
{
    /// <inheritdoc />
    public override int Cycles => 0;

    /// <inheritdoc />
    public override int SupportUpdates => 0;

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        if (!state.InFourierSpace)
        {
            throw new InvalidOperationException("the modulus projection works in Fourier space: apply FT first");
        }

        var m = state.Backend.ProjectModulus(state.Object, state.ObservedAmplitude, state.PixelClasses, project: true, metrics: true);
        state.Record("Proj", m);
    }

    /// <inheritdoc />
    public override string ToString() => "Proj";
}

/// <summary>The support projection P_S in place, in real space: zero outside the support, plus the state's positivity and real constraints.</summary>
public sealed class SupportProjectionOperator : PhasingOperator
{
    /// <inheritdoc />
    public override int Cycles => 0;

    /// <inheritdoc />
    public override int SupportUpdates => 0;

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        if (state.InFourierSpace)
        {
            throw new InvalidOperationException("the support projection works in real space: apply IFT first");
        }

        state.Backend.UpdateObject(state.Object, null, state.Support, new ObjectUpdate(ObjectUpdateKind.ErrorReduction, 0, state.Positivity, state.Real));
        state.PreviousValid = false;
    }

    /// <inheritdoc />
    public override string ToString() => "PS";
}

/// <summary>Computes the metrics of the current object without changing it (FT, metrics, IFT on a copy) and records a sample.</summary>
public sealed class MetricsOperator : PhasingOperator
{
    /// <inheritdoc />
    public override int Cycles => 0;

    /// <inheritdoc />
    public override int SupportUpdates => 0;

    /// <inheritdoc />
    public override void Apply(PhasingState state) => state.Record("LLK", Evaluate(state));

    /// <summary>The metrics of the current real-space object; uses <see cref="PhasingState.Previous"/> as scratch and leaves it equal to the object.</summary>
    public static FourierMetrics Evaluate(PhasingState state)
    {
        if (state.InFourierSpace)
        {
            throw new InvalidOperationException("metrics are evaluated in real space: apply IFT first");
        }

        var backend = state.Backend;
        backend.Copy(state.Object, state.Previous);
        backend.Fft(state.Plan, state.Previous, FftDirection.Forward);
        var m = backend.ProjectModulus(state.Previous, state.ObservedAmplitude, state.PixelClasses, project: false, metrics: true);
        backend.Copy(state.Object, state.Previous);
        state.PreviousValid = true;
        return m;
    }

    /// <inheritdoc />
    public override string ToString() => "LLK";
}

/// <summary>
/// Shrink-wrap support update in place (<c>Sup</c>): blur |object| with a Gaussian whose σ decays geometrically from
/// <see cref="SupportUpdateSettings.SigmaStart"/> to <see cref="SupportUpdateSettings.SigmaEnd"/> geometrically over the planned updates,
/// threshold it relative to its maximum (or its rms inside the current support), and check the size guards, throwing
/// <see cref="SupportTooSmallException"/> or <see cref="SupportTooLargeException"/> when the support leaves them.
/// </summary>
public sealed class SupportUpdateOperator : PhasingOperator
{
    /// <inheritdoc />
    public override int Cycles => 0;

    /// <inheritdoc />
    public override int SupportUpdates => 1;

    /// <summary>σ (px) of update <paramref name="index"/> (from 0) out of <paramref name="planned"/>.</summary>
    public static float Sigma(SupportUpdateSettings settings, int index, int planned)
    {
        if (planned <= 1)
        {
            return settings.SigmaStart;
        }

        var t = Math.Clamp(index / (double)(planned - 1), 0, 1);
        if (settings.SigmaStart > 0 && settings.SigmaEnd > 0)
        {
            return (float)(settings.SigmaStart * Math.Pow(settings.SigmaEnd / (double)settings.SigmaStart, t));
        }

        return (float)(settings.SigmaStart + ((settings.SigmaEnd - settings.SigmaStart) * t));
    }

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        if (state.InFourierSpace)
        {
            throw new InvalidOperationException("Sup works in real space: apply IFT first");
        }

        var settings = state.SupportSettings;
        var backend = state.Backend;

        // The previous object equals the object between cycles: free it while the scratch array is held (peak memory).
        state.ReleasePrevious();
        backend.Amplitude(state.Object, state.Scratch);
        backend.GaussianBlur(state.Scratch, Sigma(settings, state.SupportUpdatesDone, state.SupportUpdatesPlanned));
        float reference;
        if (settings.RelativeToMax)
        {
            reference = backend.Max(state.Scratch);
        }
        else
        {
            var (sum, count) = backend.SumOfSquares(state.Scratch, state.Support);
            reference = count == 0 ? 0 : (float)Math.Sqrt(sum / count);
        }

        var size = backend.Threshold(state.Scratch, settings.Threshold * reference, state.Support);
        state.ReleaseScratch();
        state.SupportSize = size;
        state.SupportUpdatesDone++;
        var total = state.Shape.Length;
        if (size < settings.MinFraction * total || size == 0)
        {
            throw new SupportTooSmallException(size, total, settings.MinFraction);
        }

        if (size > settings.MaxFraction * total)
        {
            throw new SupportTooLargeException(size, total, settings.MaxFraction);
        }
    }

    /// <inheritdoc />
    public override string ToString() => "Sup";
}
