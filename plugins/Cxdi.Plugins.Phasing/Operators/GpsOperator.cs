using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Operators;

/// <summary>
/// Generalized proximal smoothing, GPS-R (Pham, Rana, Miao and Osher, Opt. Express 27, 2792, 2019): a primal-dual
/// (PDHG) iteration on z, the Fourier-space primal variable, and y, the real-space multiplier of the support constraint,
/// with Moreau–Yosida smoothing of both constraints. One application is one iteration:
/// <code>
/// z' = prox_T(z − t F y)          prox_T(w) = (t P_M w + σ w) / (t + σ)   (σ = 0: the modulus projection)
/// v  = y + s F⁻¹(2 z' − z)
/// y' = F⁻¹[ G_{α/√s} · F(v − P_S v) ]  G_a(k) = exp(−k²/2a²), k in frequency pixels (the smoothed prox of the support's conjugate)
/// object = P_S F⁻¹ z'
/// </code>
/// F is the unscaled forward FFT and F⁻¹ its inverse scaled by 1/N, as in the published code. α steps linearly from
/// <see cref="SigmaFourier"/> to <see cref="SigmaFourierEnd"/> in <see cref="Steps"/> stages over <see cref="Iterations"/>
/// iterations of the run (then stays). y is kept in Fourier space (F y), so an iteration costs three FFTs. z and F y live in
/// <see cref="PhasingState.Items"/> (2 complex arrays per run); when another operator ran in between, GPS restarts from
/// z = F(object), y = 0. P_S includes the run's positivity and real constraints.
/// </summary>
[Description("Generalized proximal smoothing (GPS-R, Pham et al. 2019): primal-dual iteration with a relaxed modulus prox (t, σ) and a Fourier-smoothed support prox (s, α schedule).")]
public sealed class GpsOperator : PhasingOperator
{
    private const string Key = "cxdi.gps";

    /// <summary>Step t of the modulus prox.</summary>
    [OperatorParameter("Primal step t of the modulus prox (1 typical).")]
    [Range(0.01, 100.0)]
    public float T { get; set; } = 1f;

    /// <summary>Step s of the support prox (dual step).</summary>
    [OperatorParameter("Dual step s of the support prox (0.5 default, measured best on 1e6-photon data; t·s ≤ 1).")]
    [Range(0.01, 10.0)]
    public float S { get; set; } = 0.5f;

    /// <summary>Moreau–Yosida relaxation σ of the modulus constraint (σ_real: the iterate keeps σ/(t+σ) of itself).</summary>
    [OperatorParameter("Relaxation σ of the modulus prox: z' = (t P_M w + σ w)/(t + σ); 0 = exact projection, 0.01–1 tolerates noise.")]
    [Range(0.0, 100.0)]
    public float Sigma { get; set; } = 0.01f;

    /// <summary>Starting width α of the Fourier-space Gaussian smoothing of the support prox, in frequency pixels (0 = N/2, N the largest dimension).</summary>
    [OperatorParameter("σ_fourier: starting width α (frequency px) of the Gaussian smoothing the support prox; 0 = N/2.")]
    [Range(0.0, 1e6)]
    public float SigmaFourier { get; set; }

    /// <summary>Final width α, in frequency pixels (0 = N/8).</summary>
    [OperatorParameter("Final α (frequency px) of the schedule; 0 = N/8. Smaller smooths more.")]
    [Range(0.0, 1e6)]
    public float SigmaFourierEnd { get; set; }

    /// <summary>Stages of the α schedule.</summary>
    [OperatorParameter("Number of stages of the α schedule (linear steps from start to end).")]
    [Range(1, 1000)]
    public int Steps { get; set; } = 5;

    /// <summary>Iterations over which the α schedule runs (match the repeat count of GPS**n).</summary>
    [OperatorParameter("Iterations the α schedule spans (use the n of GPS**n); α stays at its end value afterwards.")]
    [Range(1, 1000000)]
    public int Iterations { get; set; } = 200;

    /// <inheritdoc />
    public override int Cycles => 1;

    /// <summary>α (frequency px) of iteration <paramref name="index"/> on <paramref name="shape"/>.</summary>
    public float Alpha(Shape shape, int index)
    {
        var n = OperatorMath.LargestDimension(shape);
        var start = SigmaFourier > 0 ? SigmaFourier : n / 2f;
        var end = SigmaFourierEnd > 0 ? SigmaFourierEnd : n / 8f;
        return OperatorMath.Stepped(index, Iterations, Steps, start, end);
    }

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        OperatorMath.RequireRealSpace(state, Name);
        var b = state.Backend;
        var work = OperatorWork.For(state, Key, s => new GpsWork(s.Backend, s.Shape));
        if (!work.IsCurrent(state))
        {
            b.Copy(state.Object, work.Z);
            b.Fft(state.Plan, work.Z, FftDirection.Forward);
            b.Scale(work.Y, 0f);
        }

        var t = T;
        var s = S;
        var alpha = Alpha(state.Shape, work.Count);
        var w = work.W;
        var p = state.Previous;

        // w = z − t F y; z' = (t P_M w + σ w)/(t + σ).
        b.Copy(work.Z, w);
        b.Axpby(-t, work.Y, 1f, w);
        b.Copy(w, p);
        state.ProjectModulus(p, project: true, metrics: false);
        b.Axpby(t / (t + Sigma), p, Sigma / (t + Sigma), w);

        // F v = F y + s (2 z' − z); v = F⁻¹(F v); z ← z'.
        b.Copy(w, p);
        b.Axpby(-1f, work.Z, 2f, p);
        b.Axpby(1f, work.Y, s, p);
        b.Copy(w, work.Z);
        b.Fft(state.Plan, p, FftDirection.Inverse);

        // F y' = G_{α/√s} F(v − P_S v).
        b.Copy(p, w);
        b.UpdateObject(w, null, state.Support, new ErRule(state.Positivity, state.Real));
        b.Axpby(-1f, w, 1f, p);
        b.Fft(state.Plan, p, FftDirection.Forward);
        b.GaussianFourierFilter(p, alpha / MathF.Sqrt(s));
        b.Copy(p, work.Y);

        // object = P_S F⁻¹ z'.
        b.Copy(work.Z, state.Object);
        b.Fft(state.Plan, state.Object, FftDirection.Inverse);
        b.UpdateObject(state.Object, null, state.Support, new ErRule(state.Positivity, state.Real));

        work.Count++;
        state.Cycle++;
        state.PreviousValid = false;
        work.MarkCurrent(state);
        if (state.Cycle % Math.Max(1, state.MetricEvery) == 0)
        {
            state.Record(Name, state.EvaluateMetrics());
        }

        state.AfterCycle?.Invoke(state);
    }

    private sealed class GpsWork : OperatorWork
    {
        public GpsWork(IComputeBackend backend, Shape shape)
        {
            Z = Complex(backend, shape);
            Y = Complex(backend, shape);
            W = Complex(backend, shape);
        }

        /// <summary>The Fourier-space primal iterate z.</summary>
        public ComplexBuffer Z { get; }

        /// <summary>F y, the dual variable in Fourier space.</summary>
        public ComplexBuffer Y { get; }

        /// <summary>Scratch.</summary>
        public ComplexBuffer W { get; }
    }
}
