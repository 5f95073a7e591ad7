using System.Diagnostics;
using System.Globalization;
using Cxdi.Plugins.Phasing.Operators;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Phasing;

namespace Cxdi.Plugins.Phasing.Bench;

/// <summary>
/// Stopwatch splits of one cycle: the same backend calls as <see cref="ProjectionCycleOperator"/> and
/// <see cref="SupportUpdateOperator"/> make, each timed on its own, averaged over ≥ 300 ms of cycles.
/// </summary>
internal static class CycleSplits
{
    /// <summary>"fft a + project b (+ metrics c every 20) + update d = total ms" for a projection cycle.</summary>
    public static string Measure<TRule>(PhasingState state, TRule rule)
        where TRule : struct, IObjectUpdateRule
    {
        var backend = state.Backend;
        double fft = 0, project = 0, metricsProject = 0, updateMs = 0;
        int cycles = 0, metricCycles = 0;
        var total = Stopwatch.StartNew();
        while (cycles < 20 || total.Elapsed.TotalMilliseconds < 300 || metricCycles == 0)
        {
            var metrics = (cycles + 1) % PhasingBench.MetricEvery == 0;
            var t0 = Stopwatch.GetTimestamp();
            backend.Fft(state.Plan, state.Object, FftDirection.Forward);
            var t1 = Stopwatch.GetTimestamp();
            backend.ProjectModulus(state.Object, state.ObservedAmplitude, state.PixelClasses, project: true, metrics);
            var t2 = Stopwatch.GetTimestamp();
            backend.Fft(state.Plan, state.Object, FftDirection.Inverse);
            var t3 = Stopwatch.GetTimestamp();
            backend.UpdateObject(state.Object, state.Previous, state.Support, rule);
            var t4 = Stopwatch.GetTimestamp();
            fft += Ms(t0, t1) + Ms(t2, t3);
            if (metrics)
            {
                metricsProject += Ms(t1, t2);
                metricCycles++;
            }
            else
            {
                project += Ms(t1, t2);
            }

            updateMs += Ms(t3, t4);
            cycles++;
        }

        var plainCycles = cycles - metricCycles;
        var p = project / plainCycles;
        var pm = metricsProject / metricCycles;
        var amortised = p + ((pm - p) / PhasingBench.MetricEvery);
        var f = fft / cycles;
        var u = updateMs / cycles;
        return string.Create(CultureInfo.InvariantCulture, $"splits ms: fft pair {f:F3} + project {p:F3} (with metrics {pm:F3}, 1 cycle in {PhasingBench.MetricEvery}) + update {u:F3} = {f + amortised + u:F3}");
    }

    /// <summary>"amplitude a + blur b + rms c + threshold d = total ms" for a support update.</summary>
    public static string MeasureSupport(PhasingState state, float sigma)
    {
        var backend = state.Backend;
        double amplitude = 0, blur = 0, rms = 0, threshold = 0;
        var count = 0;
        var total = Stopwatch.StartNew();
        while (count < 5 || total.Elapsed.TotalMilliseconds < 300)
        {
            var t0 = Stopwatch.GetTimestamp();
            backend.Abs(state.Object, state.Scratch);
            var t1 = Stopwatch.GetTimestamp();
            backend.GaussianBlur(state.Scratch, sigma);
            var t2 = Stopwatch.GetTimestamp();
            var (sum, n) = backend.SumOfSquares(state.Scratch, state.Support);
            var t3 = Stopwatch.GetTimestamp();
            backend.Threshold(state.Scratch, 0.25f * (float)Math.Sqrt(sum / Math.Max(1, n)), state.Support);
            var t4 = Stopwatch.GetTimestamp();
            amplitude += Ms(t0, t1);
            blur += Ms(t1, t2);
            rms += Ms(t2, t3);
            threshold += Ms(t3, t4);
            count++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"splits ms: amplitude {amplitude / count:F3} + blur {blur / count:F3} + rms {rms / count:F3} + threshold {threshold / count:F3} = {(amplitude + blur + rms + threshold) / count:F3}");
    }

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
}
