using Cxdi.Sdk.Compute;

namespace Cxdi.Sdk.Phasing;

/// <summary>
/// An operation on a <see cref="PhasingState"/>, applied IN PLACE: <see cref="Apply"/> mutates the state and returns
/// nothing. Operators compose like PyNX: <c>a * b</c> applies <c>b</c> first, then <c>a</c> (right to left), and
/// <c>a.Repeat(n)</c> applies <c>a</c> n times (<c>a**n</c> in operator strings). One parsed program is shared by runs
/// that proceed side by side, so an operator keeps nothing of a run in its fields: per-run data go in
/// <see cref="PhasingState.Items"/>. Register an operator by name with
/// <see cref="PhasingServiceCollectionExtensions.AddPhasingOperator{T}"/>; its public settable properties marked
/// <see cref="OperatorParameterAttribute"/> are the parameters of the operator string (<c>HIO(beta=0.7)</c>).
/// </summary>
public abstract class PhasingOperator
{
    /// <summary>The name in operator strings (set by the registry when parsed; the type name otherwise).</summary>
    public string Name { get; set; }

    /// <summary>Creates the operator with its type name as <see cref="Name"/>.</summary>
    protected PhasingOperator()
    {
        Name = GetType().Name;
    }

    /// <summary>Projection cycles this operator runs (for progress and schedules).</summary>
    public virtual int Cycles => 0;

    /// <summary>Support updates this operator runs (for σ schedules).</summary>
    public virtual int SupportUpdates => 0;

    /// <summary>Applies the operator to <paramref name="state"/>, modifying it in place.</summary>
    public abstract void Apply(PhasingState state);

    /// <summary>The composition <paramref name="left"/> ∘ <paramref name="right"/>: <paramref name="right"/> runs first.</summary>
    public static PhasingOperator operator *(PhasingOperator left, PhasingOperator right) => new SequenceOperator(left, right);

    /// <summary>This operator applied <paramref name="count"/> times in a row.</summary>
    public PhasingOperator Repeat(int count) => count >= 1 ? new RepeatOperator(this, count) : throw new ArgumentOutOfRangeException(nameof(count), count, "a repeat count must be at least 1");

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Two operators in sequence: <see cref="Right"/> first, then <see cref="Left"/>.</summary>
public sealed class SequenceOperator : PhasingOperator
{
    /// <summary>Composes <paramref name="left"/> after <paramref name="right"/>.</summary>
    public SequenceOperator(PhasingOperator left, PhasingOperator right)
    {
        Left = left ?? throw new ArgumentNullException(nameof(left));
        Right = right ?? throw new ArgumentNullException(nameof(right));
        Name = "*";
    }

    /// <summary>Runs second.</summary>
    public PhasingOperator Left { get; }

    /// <summary>Runs first.</summary>
    public PhasingOperator Right { get; }

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
public sealed class RepeatOperator : PhasingOperator
{
    /// <summary>Repeats <paramref name="inner"/> <paramref name="count"/> times.</summary>
    public RepeatOperator(PhasingOperator inner, int count)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        Count = count >= 1 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "a repeat count must be at least 1");
        Name = "**";
    }

    /// <summary>The repeated operator.</summary>
    public PhasingOperator Inner { get; }

    /// <summary>Repetitions.</summary>
    public int Count { get; }

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
/// One projection cycle in place, the base of ER, HIO, RAAR and of most new algorithms: FT, modulus projection
/// (<see cref="PhasingState.ProjectModulus"/>: measured pixels take the observed amplitude, unknown pixels stay free or
/// within their bounds, held-out pixels stay free; metrics fused in the same pass every
/// <see cref="PhasingState.MetricEvery"/> cycles), IFT, then <see cref="Update"/>, the algorithm's real-space step.
/// </summary>
public abstract class ProjectionCycleOperator : PhasingOperator
{
    /// <inheritdoc />
    public override int Cycles => 1;

    /// <inheritdoc />
    public sealed override void Apply(PhasingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
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
        var m = state.ProjectModulus(state.Object, project: true, metrics);
        backend.Fft(state.Plan, state.Object, FftDirection.Inverse);
        Update(state);
        state.Cycle++;
        if (metrics)
        {
            state.Record(Name, m);
        }

        state.AfterCycle?.Invoke(state);
    }

    /// <summary>
    /// The real-space step: on entry <see cref="PhasingState.Object"/> holds P_M ψ and <see cref="PhasingState.Previous"/>
    /// holds ψ; on return the object holds ψ'. Leave ψ' in <see cref="PhasingState.Previous"/> too (as
    /// <see cref="IComputeBackend.UpdateObject{TRule}"/> does), or set <see cref="PhasingState.PreviousValid"/> to false.
    /// </summary>
    protected abstract void Update(PhasingState state);
}
