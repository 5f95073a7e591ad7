using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Operators;

/// <summary>
/// Oversampling smoothness (Rodriguez, Xu, Yang, Wang and Miao, J. Appl. Cryst. 46, 312, 2013): a HIO cycle whose
/// region outside the support is then replaced by the same region of the Fourier-filtered HIO output,
/// <code>
/// x_h = HIO(ψ);  x' = x_h inside S,  F⁻¹[W_α · F x_h] outside S,  W_α(k) = exp(−k²/2α²) (k in frequency pixels)
/// </code>
/// α steps linearly from <see cref="AlphaMax"/> (default N/2) to <see cref="AlphaMin"/> (default 1/N) in <see cref="Steps"/>
/// stages over <see cref="Iterations"/> OSS cycles of the run, then stays. Four FFTs per cycle; one complex array per run
/// in <see cref="PhasingState.Items"/>.
/// </summary>
[Description("Oversampling smoothness (Rodriguez et al. 2013): HIO with the outside-support region Gaussian-filtered in Fourier space, α stepping from N/2 to 1/N.")]
public sealed class OssOperator : ProjectionCycleOperator
{
    private const string Key = "cxdi.oss";

    /// <summary>Feedback β of the HIO step.</summary>
    [OperatorParameter("Feedback β of the HIO step (0.9 typical).")]
    [Range(0.0, 2.0)]
    public float Beta { get; set; } = 0.9f;

    /// <summary>α of the first stage, in frequency pixels (0 = N/2, N the largest dimension).</summary>
    [OperatorParameter("α of the first stage (frequency px; 0 = N/2): the filter's width, large = little smoothing.")]
    [Range(0.0, 1e6)]
    public float AlphaMax { get; set; }

    /// <summary>α of the last stage, in frequency pixels (0 = 1/N).</summary>
    [OperatorParameter("α of the last stage (frequency px; 0 = 1/N): small = the outside region tends to its mean.")]
    [Range(0.0, 1e6)]
    public float AlphaMin { get; set; }

    /// <summary>Number of filter stages.</summary>
    [OperatorParameter("Number of filter steps (stages of the α schedule; 10 in the paper).")]
    [Range(1, 1000)]
    public int Steps { get; set; } = 10;

    /// <summary>OSS cycles the schedule spans.</summary>
    [OperatorParameter("OSS cycles the α schedule spans (the total of OSS**n in the program); α stays at its end value afterwards.")]
    [Range(1, 1000000)]
    public int Iterations { get; set; } = 1000;

    /// <summary>α (frequency px) of OSS cycle <paramref name="index"/> on <paramref name="shape"/>.</summary>
    public float Alpha(Shape shape, int index)
    {
        var n = OperatorMath.LargestDimension(shape);
        var start = AlphaMax > 0 ? AlphaMax : n / 2f;
        var end = AlphaMin > 0 ? AlphaMin : 1f / n;
        return OperatorMath.Stepped(index, Iterations, Steps, start, end);
    }

    /// <inheritdoc />
    protected override void Update(PhasingState state)
    {
        var b = state.Backend;
        b.UpdateObject(state.Object, state.Previous, state.Support, new HioRule(Beta, state.Positivity, state.Real));
        var work = OperatorWork.For(state, Key, s => new OssWork(s.Backend, s.Shape));
        var alpha = Alpha(state.Shape, work.Count);
        work.Count++;

        var t = work.Filtered;
        b.Copy(state.Object, t);
        b.Fft(state.Plan, t, FftDirection.Forward);
        b.GaussianFourierFilter(t, alpha);
        b.Fft(state.Plan, t, FftDirection.Inverse);
        b.Scale(t, state.Support, 0f, 1f);
        b.Scale(state.Object, state.Support, 1f, 0f);
        b.Axpby(1f, t, 1f, state.Object);
        b.Copy(state.Object, state.Previous);
    }

    private sealed class OssWork : OperatorWork
    {
        public OssWork(IComputeBackend backend, Shape shape)
        {
            Filtered = Complex(backend, shape);
        }

        public ComplexBuffer Filtered { get; }
    }
}
