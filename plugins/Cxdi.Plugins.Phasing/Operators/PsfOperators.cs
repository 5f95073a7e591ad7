using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Operators;

/// <summary>
/// Projection cycles for partially coherent data (Clark, Huang, Harder and Robinson, Nat. Commun. 3, 993, 2012): the
/// measured intensity is modelled as the coherent intensity convolved with a detector-space point-spread function,
/// m = |F x|² ⊗ p, and the modulus step scales ψ = F x by √(o/m) on measured pixels (unknown and held-out pixels stay free).
/// The PSF p (non-negative, sum 1, FFT order: zero shift at index 0) starts as a Gaussian of <see cref="Sigma"/> pixels and
/// is refined every <see cref="UpdateEvery"/> cycles by <see cref="RlIterations"/> Richardson–Lucy iterations with the
/// current coherent intensity I = |F x|²:
/// <code>
/// p ← p · [(o/(I ⊗ p)) ⋆ I],  then p ≥ 0 and Σ p = 1      (⋆: correlation; o/m taken as 1 where not measured)
/// </code>
/// Convolutions run as FFT products on the backend. The PSF and its transform live in <see cref="PhasingState.Items"/>
/// (5 complex arrays per run); <see cref="CurrentPsf"/> reads it back. Cost: 4 FFTs per cycle, 4 more per RL iteration.
/// </summary>
public abstract class PsfCycleOperator : PhasingOperator
{
    private const string Key = "cxdi.psf";

    /// <summary>Initial Gaussian width of the PSF, in detector pixels.</summary>
    [OperatorParameter("Initial Gaussian σ of the detector-space PSF (px); the width a partially coherent beam blurs speckles by.")]
    [Range(0.05, 100.0)]
    public float Sigma { get; set; } = 1f;

    /// <summary>Cycles between PSF updates (0 = the PSF stays at its initial Gaussian).</summary>
    [OperatorParameter("Cycles between Richardson–Lucy updates of the PSF (0 = keep the initial Gaussian).")]
    [Range(0, 100000)]
    public int UpdateEvery { get; set; } = 5;

    /// <summary>Richardson–Lucy iterations per update.</summary>
    [OperatorParameter("Richardson–Lucy iterations per PSF update.")]
    [Range(1, 1000)]
    public int RlIterations { get; set; } = 3;

    /// <inheritdoc />
    public override int Cycles => 1;

    /// <summary>The real-space step (ER, HIO, RAAR rule) with the object holding the projected wave and Previous the object before the cycle.</summary>
    protected abstract void Update(PhasingState state);

    /// <summary>The run's current PSF (detector space, FFT order, sum 1), or null when no PSF cycle ran.</summary>
    public static float[]? CurrentPsf(PhasingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Items.TryGetValue(Key, out var item) || item is not PsfWork work)
        {
            return null;
        }

        var host = new Complex32[state.Shape.Length];
        state.Backend.Download(work.Psf, host);
        return host.Select(z => z.Re).ToArray();
    }

    /// <summary>The rms width per axis (px) of a PSF in FFT order: √(Σ r² p / (rank Σ p)) with wrapped coordinates.</summary>
    public static double Width(float[] psf, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(psf);
        double sum = 0, moment = 0;
        var i = 0;
        for (var z = 0; z < shape.Nz; z++)
        {
            var dz = z <= shape.Nz / 2 ? z : z - shape.Nz;
            for (var y = 0; y < shape.Ny; y++)
            {
                var dy = y <= shape.Ny / 2 ? y : y - shape.Ny;
                for (var x = 0; x < shape.Nx; x++, i++)
                {
                    var dx = x <= shape.Nx / 2 ? x : x - shape.Nx;
                    sum += psf[i];
                    moment += psf[i] * (((double)dz * dz) + ((double)dy * dy) + ((double)dx * dx));
                }
            }
        }

        return sum > 0 ? Math.Sqrt(moment / (sum * (shape.Rank == 3 ? 3 : 2))) : 0;
    }

    /// <inheritdoc />
    public override void Apply(PhasingState state)
    {
        OperatorMath.RequireRealSpace(state, Name);
        if (!state.PreviousValid)
        {
            state.SyncPrevious();
        }

        var b = state.Backend;
        var work = OperatorWork.For(state, Key, s => new PsfWork(s, Sigma));
        var metrics = (state.Cycle + 1) % Math.Max(1, state.MetricEvery) == 0;
        var psi = state.Object;
        var classes = state.PixelClasses;

        // ψ = F x; I = |ψ|²; m = I ⊗ p.
        b.Fft(state.Plan, psi, FftDirection.Forward);
        b.Copy(psi, work.I);
        b.UpdateObject(work.I, null, classes, new IntensityRule());
        Convolve(state, work, work.I, work.M);
        FourierMetrics m = default;
        if (metrics)
        {
            b.Copy(work.M, work.R);
            b.UpdateObject(work.R, null, classes, new SqrtRealRule());
            m = b.ProjectModulus(work.R, state.MetricAmplitude, classes, project: false, metrics: true);
        }

        // ψ ← ψ √(o/m) on measured pixels, unchanged elsewhere.
        b.UpdateObject(work.M, null, classes, new InverseSqrtRule(1e-20f, 0f));
        b.Multiply(work.M, state.ProjectionAmplitude);
        b.UpdateObject(work.M, null, classes, new SetInsideRule(new Complex32(1, 0)));
        b.Multiply(psi, work.M);
        b.Fft(state.Plan, psi, FftDirection.Inverse);
        Update(state);

        work.Count++;
        if (UpdateEvery > 0 && work.Count % UpdateEvery == 0)
        {
            RichardsonLucy(state, work, RlIterations);
        }

        state.Cycle++;
        if (metrics)
        {
            state.Record(Name, m);
        }

        state.AfterCycle?.Invoke(state);
    }

    /// <summary>destination ← source ⊗ p (circular, through the PSF's transform); source is unchanged.</summary>
    private static void Convolve(PhasingState state, PsfWork work, ComplexBuffer source, ComplexBuffer destination)
    {
        var b = state.Backend;
        b.Copy(source, destination);
        b.Fft(state.Plan, destination, FftDirection.Forward);
        b.Multiply(destination, work.Otf);
        b.Fft(state.Plan, destination, FftDirection.Inverse);
    }

    /// <summary>Richardson–Lucy iterations on the PSF with the coherent intensity in <see cref="PsfWork.I"/> (consumed).</summary>
    private static void RichardsonLucy(PhasingState state, PsfWork work, int iterations)
    {
        var b = state.Backend;
        var classes = state.PixelClasses;

        // Î* = conj(F I), for correlations with I.
        b.Copy(work.I, work.Ic);
        b.Fft(state.Plan, work.Ic, FftDirection.Forward);
        b.UpdateObject(work.Ic, null, classes, new ConjugateRule());
        for (var it = 0; it < iterations; it++)
        {
            // r = o/m on measured pixels, 1 elsewhere: (√o/√m)².
            Convolve(state, work, work.I, work.M);
            b.UpdateObject(work.M, null, classes, new InverseSqrtRule(1e-20f, 0f));
            b.Multiply(work.M, state.ProjectionAmplitude);
            b.UpdateObject(work.M, null, classes, new SetInsideRule(new Complex32(1, 0)));
            b.Copy(work.M, work.R);
            b.Multiply(work.R, work.M);

            // c = r ⋆ I = F⁻¹[F r · conj(F I)]; p ← max(p c, 0) / Σ.
            b.Fft(state.Plan, work.R, FftDirection.Forward);
            b.Multiply(work.R, work.Ic);
            b.Fft(state.Plan, work.R, FftDirection.Inverse);
            b.Multiply(work.Psf, work.R);
            b.UpdateObject(work.Psf, null, classes, new PositiveRealRule());
            b.UpdateObject(work.M, null, classes, new FillRule(new Complex32(1, 0), new Complex32(1, 0)));
            var sum = b.Dot(work.M, work.Psf).Real;
            if (!(sum > 0) || !double.IsFinite(sum))
            {
                work.ResetPsf(state);
                return;
            }

            b.Scale(work.Psf, (float)(1 / sum));
            b.Copy(work.Psf, work.Otf);
            b.Fft(state.Plan, work.Otf, FftDirection.Forward);
        }
    }

    private sealed class PsfWork : OperatorWork
    {
        private readonly float sigma;

        public PsfWork(PhasingState state, float sigma)
        {
            var b = state.Backend;
            this.sigma = sigma;
            Psf = Complex(b, state.Shape);
            Otf = Complex(b, state.Shape);
            I = Complex(b, state.Shape);
            Ic = Complex(b, state.Shape);
            M = Complex(b, state.Shape);
            R = Complex(b, state.Shape);
            ResetPsf(state);
        }

        public ComplexBuffer Psf { get; }

        public ComplexBuffer Otf { get; }

        public ComplexBuffer I { get; }

        public ComplexBuffer Ic { get; }

        public ComplexBuffer M { get; }

        public ComplexBuffer R { get; }

        /// <summary>Uploads the initial Gaussian PSF (sum 1) and its transform.</summary>
        public void ResetPsf(PhasingState state)
        {
            var shape = state.Shape;
            var host = new Complex32[shape.Length];
            double total = 0;
            var i = 0;
            var inv = -0.5 / (sigma * (double)sigma);
            for (var z = 0; z < shape.Nz; z++)
            {
                var dz = z <= shape.Nz / 2 ? z : z - shape.Nz;
                for (var y = 0; y < shape.Ny; y++)
                {
                    var dy = y <= shape.Ny / 2 ? y : y - shape.Ny;
                    for (var x = 0; x < shape.Nx; x++, i++)
                    {
                        var dx = x <= shape.Nx / 2 ? x : x - shape.Nx;
                        var v = Math.Exp(inv * (((double)dz * dz) + ((double)dy * dy) + ((double)dx * dx)));
                        host[i] = new Complex32((float)v, 0);
                        total += v;
                    }
                }
            }

            for (var k = 0; k < host.Length; k++)
            {
                host[k] = new Complex32((float)(host[k].Re / total), 0);
            }

            state.Backend.Upload(host, Psf);
            state.Backend.Copy(Psf, Otf);
            state.Backend.Fft(state.Plan, Otf, FftDirection.Forward);
        }
    }
}

/// <summary>Error reduction with the PSF-convolved modulus step (<c>ER_PSF</c>).</summary>
[Description("Error reduction cycle with a partial-coherence PSF: the modulus step fits |F x|² ⊗ PSF to the data; Richardson–Lucy PSF updates (Clark et al. 2012).")]
public sealed class ErPsfOperator : PsfCycleOperator
{
    /// <inheritdoc />
    protected override void Update(PhasingState state) =>
        state.Backend.UpdateObject(state.Object, state.Previous, state.Support, new ErRule(state.Positivity, state.Real));
}

/// <summary>HIO with the PSF-convolved modulus step (<c>HIO_PSF</c>).</summary>
[Description("HIO cycle with a partial-coherence PSF: the modulus step fits |F x|² ⊗ PSF to the data; Richardson–Lucy PSF updates (Clark et al. 2012).")]
public sealed class HioPsfOperator : PsfCycleOperator
{
    /// <summary>Feedback β.</summary>
    [OperatorParameter("Feedback β of the HIO step (0.9 typical).")]
    [Range(0.0, 2.0)]
    public float Beta { get; set; } = 0.9f;

    /// <inheritdoc />
    protected override void Update(PhasingState state) =>
        state.Backend.UpdateObject(state.Object, state.Previous, state.Support, new HioRule(Beta, state.Positivity, state.Real));
}

/// <summary>RAAR with the PSF-convolved modulus step (<c>RAAR_PSF</c>).</summary>
[Description("RAAR cycle with a partial-coherence PSF: the modulus step fits |F x|² ⊗ PSF to the data; Richardson–Lucy PSF updates (Clark et al. 2012).")]
public sealed class RaarPsfOperator : PsfCycleOperator
{
    /// <summary>Relaxation β.</summary>
    [OperatorParameter("Relaxation β of the RAAR step (0.75 typical).")]
    [Range(0.0, 2.0)]
    public float Beta { get; set; } = 0.75f;

    /// <inheritdoc />
    protected override void Update(PhasingState state) =>
        state.Backend.UpdateObject(state.Object, state.Previous, state.Support, new RaarRule(Beta, state.Positivity, state.Real));
}
