using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>Per-pixel spread of aligned runs about their average: the uncertainty maps of a <see cref="ReconstructionSet"/>.</summary>
internal static class EnsembleSpread
{
    /// <summary>
    /// The sample standard deviation (divided by runs − 1) of the amplitude |ψ_k| of <paramref name="runs"/> at every pixel,
    /// and the spread of their phase about the phase of <paramref name="average"/>, √(Σ_k δ_k² / (runs − 1)) with
    /// δ_k = arg(ψ_k · conj(average)) in (−π, π]; the phase spread is NaN outside <paramref name="support"/> (when given)
    /// and where the average is exactly zero. Needs at least two runs.
    /// </summary>
    public static (float[] Amplitude, float[] Phase) Map(IReadOnlyList<Complex32[]> runs, Complex32[] average, byte[]? support)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(average);
        if (runs.Count < 2)
        {
            throw new ArgumentException("the spread of runs needs at least two runs", nameof(runs));
        }

        var n = average.Length;
        var amplitude = new float[n];
        var phase = new float[n];
        var denominator = runs.Count - 1.0;
        for (var i = 0; i < n; i++)
        {
            double sum = 0, deviation2 = 0, phase2 = 0;
            var reference = average[i].Conjugate();
            foreach (var run in runs)
            {
                sum += run[i].Abs;
            }

            var mean = sum / runs.Count;
            foreach (var run in runs)
            {
                var z = run[i];
                var d = z.Abs - mean;
                deviation2 += d * d;
                var p = z * reference;
                var delta = Math.Atan2(p.Im, p.Re);
                phase2 += delta * delta;
            }

            amplitude[i] = (float)Math.Sqrt(deviation2 / denominator);
            var inside = (support is null || support[i] != 0) && average[i].Norm2 > 0;
            phase[i] = inside ? (float)Math.Sqrt(phase2 / denominator) : float.NaN;
        }

        return (amplitude, phase);
    }

    /// <summary>
    /// Summary numbers of the maps inside <paramref name="support"/>: the median amplitude spread relative to the mean
    /// amplitude there, the median and 90th percentile of the phase spread (rad).
    /// </summary>
    public static Dictionary<string, object> Summary(float[] amplitudeSpread, float[] phaseSpread, Complex32[] average, byte[] support)
    {
        var amplitudes = new List<double>();
        var phases = new List<double>();
        double meanAmplitude = 0;
        for (var i = 0; i < average.Length; i++)
        {
            if (support[i] == 0)
            {
                continue;
            }

            amplitudes.Add(amplitudeSpread[i]);
            meanAmplitude += average[i].Abs;
            if (float.IsFinite(phaseSpread[i]))
            {
                phases.Add(phaseSpread[i]);
            }
        }

        meanAmplitude = amplitudes.Count > 0 ? meanAmplitude / amplitudes.Count : 0;
        return new Dictionary<string, object>
        {
            ["support_pixels"] = amplitudes.Count,
            ["amplitude_std_median_relative"] = meanAmplitude > 0 ? Math.Round(Quantile(amplitudes, 0.5) / meanAmplitude, 5) : double.NaN,
            ["phase_std_median_rad"] = Math.Round(Quantile(phases, 0.5), 5),
            ["phase_std_p90_rad"] = Math.Round(Quantile(phases, 0.9), 5),
        };
    }

    private static double Quantile(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        return values[(int)Math.Min(values.Count - 1, Math.Floor(q * values.Count))];
    }
}
