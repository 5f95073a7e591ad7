using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Operators;

/// <summary>
/// Poisson maximum-likelihood refinement (as PyNX's <c>ML</c>), one conjugate-gradient step per application, so that
/// <c>ML**n</c> runs n steps. It minimises, over the object x restricted to the support,
/// L(x) = Σ_k∈measured [c_k − o_k ln c_k] + λ Σ_k h_k |Ψ_k|², with Ψ = F x (unscaled forward FFT), c = |Ψ|², o the observed
/// intensity, and h_k = 1 − exp(−k²/2σ²) an optional high-frequency penalty. Unknown and held-out pixels do not count.
/// <para>
/// Step: W = (1 − o/c) Ψ on measured pixels (0 elsewhere) + λ h Ψ; gradient g = P_S F⁻¹ W; Polak–Ribière direction
/// d = −g + β d_prev, β = max(0, ⟨g, g − g_prev⟩ / ⟨g_prev, g_prev⟩); D = F d; a Newton step γ = −L'(0)/L''(0) along d with
/// L'(0) = 2 Re Σ conj(W) D = 2N Re⟨g, d⟩ (Parseval) and, with Q = √o Ψ / c,
/// L''(0) = Σ_meas [2(1 − o/c)|D|² + 4 (o/c²)(Re Ψ̄D)²] + 2λ Σ h|D|² = 2 Σ_meas |D|² + 2 Re Σ (Q̄D)² + 2λ Σ h|D|².
/// Then x ← x + γ d and Ψ ← Ψ + γ D (Ψ recomputed by FFT every 10 steps and whenever another operator ran). When a step
/// raised the log-likelihood (checked at the start of the next, from the metrics fused there), half of it is undone and
/// the conjugate gradient restarts from steepest descent.
/// Two FFTs per step; everything runs through the backend's core primitives and one element rule.
/// </para>
/// The step keeps its search direction and Ψ between applications in <see cref="PhasingState.Items"/> (6 complex arrays
/// per run); another operator or a support update in between restarts the conjugate gradient from steepest descent.
/// Positivity is not imposed; a real object keeps a real gradient.
/// </summary>
[Description("Poisson maximum-likelihood refinement: one Polak–Ribière conjugate-gradient step on the Poisson log-likelihood with an analytic Newton line search; ML**n runs n steps.")]
public sealed class MaximumLikelihoodOperator : PhasingOperator
{
    private const string Key = "cxdi.ml";
    private const int RefreshEvery = 10;

    /// <summary>Weight λ of the high-frequency penalty λ Σ h_k |Ψ_k|² (0 = plain Poisson likelihood).</summary>
    [OperatorParameter("Regularisation weight λ of a high-frequency penalty λ Σ (1 − exp(−k²/2σ²)) |Ψ_k|² (0 = none; 0.01–0.3 smooths noisy data).")]
    [Range(0.0, 100.0)]
    public float Reg { get; set; }

    /// <summary>σ of the regulariser, as a fraction of half the largest array dimension.</summary>
    [OperatorParameter("σ of the regulariser's Gaussian in frequency, as a fraction of half the largest dimension (0.25 typical; smaller penalises more frequencies).")]
    [Range(0.01, 2.0)]
    public float RegSigma { get; set; } = 0.25f;

    /// <inheritdoc />
    public override int Cycles => 1;

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        OperatorMath.RequireRealSpace(state, Name);
        var backend = state.Backend;
        var work = OperatorWork.For(state, Key, s => new MlWork(s.Backend, s.Shape));
        var current = work.IsCurrent(state);
        if (!current || work.SinceRefresh >= RefreshEvery)
        {
            backend.Copy(state.Object, work.Psi);
            backend.Fft(state.Plan, work.Psi, FftDirection.Forward);
            work.SinceRefresh = 0;
        }

        if (!current)
        {
            work.HasDirection = false;
        }

        var metrics = (state.Cycle + 1) % Math.Max(1, state.MetricEvery) == 0;
        var m = Step(state, work);
        work.Count++;
        work.SinceRefresh++;
        state.Cycle++;
        state.PreviousValid = false;
        work.MarkCurrent(state);
        if (metrics)
        {
            if (!ReferenceEquals(state.MetricAmplitude, state.ProjectionAmplitude))
            {
                // The step's line search works on the amplitudes it fits; the record (after the step) is on the raw counts.
                m = state.ProjectModulus(work.Psi, project: false, metrics: true);
            }

            state.Record(Name, m);
        }

        state.AfterCycle?.Invoke(state);
    }

    private FourierMetrics Step(PhasingState state, MlWork w)
    {
        var b = state.Backend;
        var a = state.ProjectionAmplitude;
        var classes = state.PixelClasses;
        var n = (double)state.Shape.Length;
        var sigma = RegSigma * OperatorMath.LargestDimension(state.Shape) / 2f;

        // The metrics of x (the model before the step), without changing Ψ. Safeguard: when the last Newton step raised the
        // log-likelihood (a non-convex stretch along d), go back half of it and restart from steepest descent.
        var m = b.ProjectModulus(w.Psi, a, classes, project: false, metrics: true);
        if (w.HasDirection && w.LastGamma != 0 && m.LlkSum > w.LastLlk)
        {
            var back = -0.5f * w.LastGamma;
            b.Axpby(back, w.Direction, 1f, state.Object);
            b.Axpby(back, w.D, 1f, w.Psi);
            w.HasDirection = false;
            w.Backtracks++;
            m = b.ProjectModulus(w.Psi, a, classes, project: false, metrics: true);
        }

        w.LastGamma = 0;
        w.LastLlk = m.LlkSum;

        // Q = √o Ψ / |Ψ|² on measured pixels, 0 elsewhere.
        b.Copy(w.Psi, w.Q);
        b.UpdateObject(w.Q, null, classes, new InverseConjugateRule());
        b.Multiply(w.Q, a);

        // W = (1 − o/c) Ψ = Ψ − √o Q on measured pixels, 0 elsewhere; + λ h Ψ.
        b.Copy(w.Q, w.G);
        b.Multiply(w.G, a);
        b.Axpby(1f, w.Psi, -1f, w.G);
        b.Scale(w.G, classes, 0f, 1f);
        if (Reg > 0)
        {
            b.Copy(w.Psi, w.D);
            b.GaussianFourierFilter(w.D, sigma);
            b.Axpby(1f, w.Psi, -1f, w.D);
            b.Axpby(Reg, w.D, 1f, w.G);
        }

        // g = P_S F⁻¹ W (a real object keeps a real gradient).
        b.Fft(state.Plan, w.G, FftDirection.Inverse);
        b.UpdateObject(w.G, null, state.Support, new ErRule(false, state.Real));
        var gg = b.Dot(w.G, w.G).Real;
        if (!(gg > 0))
        {
            return m;
        }

        if (w.HasDirection && w.PreviousNorm > 0)
        {
            var beta = Math.Max(0, (gg - b.Dot(w.GPrevious, w.G).Real) / w.PreviousNorm);
            b.Axpby(-1f, w.G, (float)beta, w.Direction);
        }
        else
        {
            b.Copy(w.G, w.Direction);
            b.Scale(w.Direction, -1f);
        }

        b.Copy(w.G, w.GPrevious);
        w.PreviousNorm = gg;

        // D = F d and the Newton step along d.
        b.Copy(w.Direction, w.D);
        b.Fft(state.Plan, w.D, FftDirection.Forward);
        var first = 2 * n * b.Dot(w.G, w.Direction).Real;
        b.Copy(w.Q, w.G);
        b.Multiply(w.G, w.Q);                 // Q²
        b.Copy(w.D, w.Q);
        b.Scale(w.Q, classes, 0f, 1f);         // D on measured pixels
        var dd = b.Dot(w.Q, w.Q).Real;
        b.Multiply(w.Q, w.D);                 // D² on measured pixels
        var second = (2 * dd) + (2 * b.Dot(w.G, w.Q).Real);
        if (Reg > 0)
        {
            b.Copy(w.D, w.Q);
            b.GaussianFourierFilter(w.Q, sigma);
            var hd = b.Dot(w.D, w.D).Real - b.Dot(w.D, w.Q).Real;
            second += 2 * Reg * hd;
        }

        if (!(second > 0) || !double.IsFinite(first))
        {
            // Not a descent region along d: restart from steepest descent next time.
            w.HasDirection = false;
            return m;
        }

        var gamma = (float)(-first / second);
        b.Axpby(gamma, w.Direction, 1f, state.Object);
        b.Axpby(gamma, w.D, 1f, w.Psi);
        w.HasDirection = true;
        w.LastGamma = gamma;
        return m;
    }

    private sealed class MlWork : OperatorWork
    {
        public MlWork(IComputeBackend backend, Shape shape)
        {
            Psi = Complex(backend, shape);
            D = Complex(backend, shape);
            Direction = Complex(backend, shape);
            G = Complex(backend, shape);
            GPrevious = Complex(backend, shape);
            Q = Complex(backend, shape);
        }

        public ComplexBuffer Psi { get; }

        public ComplexBuffer D { get; }

        public ComplexBuffer Direction { get; }

        public ComplexBuffer G { get; }

        public ComplexBuffer GPrevious { get; }

        public ComplexBuffer Q { get; }

        public bool HasDirection { get; set; }

        public double PreviousNorm { get; set; }

        public int SinceRefresh { get; set; }

        /// <summary>γ of the last step (0 when none was taken).</summary>
        public float LastGamma { get; set; }

        /// <summary>Σ Poisson term before the last step.</summary>
        public double LastLlk { get; set; }

        /// <summary>Half steps back taken so far.</summary>
        public int Backtracks { get; set; }
    }
}
