using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;

namespace Cxdi.Sdk.Roles;

/// <summary>Reduces noise in diffraction data (e.g. an ML model); unknown pixels must stay flagged, never invented silently.</summary>
public interface IDenoiser : IPlugin
{
    /// <summary>Returns denoised data of the same shape.</summary>
    DiffractionData Denoise(DiffractionData input, PluginOptions options, StepContext context);
}

/// <summary>
/// Base denoiser: override <see cref="Denoise(DiffractionData, TOptions, StepContext)"/>. The base checks the arguments,
/// stops on cancellation before and after the call, and rejects (with <see cref="InvalidOperationException"/>, a plugin bug)
/// an output of another shape, one that clears a flag of the input's mask (unknown pixels stay flagged), or one with a
/// NaN or infinite intensity at a measured pixel. It also keeps the measurement: an output without
/// <see cref="DiffractionData.RawIntensity"/> gets the input's raw counts (its <see cref="DiffractionData.RawIntensity"/>, else a
/// copy of its intensity taken before the call), and one without bounds gets the input's
/// <see cref="DiffractionData.LowerBound"/>/<see cref="DiffractionData.UpperBound"/>, so every denoiser hands the raw counts on.
/// </summary>
public abstract class DenoiserBase<TOptions> : IDenoiser
    where TOptions : PluginOptions, new()
{
    /// <inheritdoc />
    public Type OptionsType => typeof(TOptions);

    /// <inheritdoc />
    public DiffractionData Denoise(DiffractionData input, PluginOptions options, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        if (options is not TOptions typed)
        {
            throw new ArgumentException($"{GetType().Name} takes {typeof(TOptions).Name} options, not {options.GetType().Name}", nameof(options));
        }

        context.Cancellation.ThrowIfCancellationRequested();
        var mask = (uint[])input.Mask.Clone();
        var raw = input.RawIntensity ?? (float[])input.Intensity.Clone();
        var (lower, upper) = (input.LowerBound, input.UpperBound);
        var output = Denoise(input, typed, context);
        context.Cancellation.ThrowIfCancellationRequested();
        CheckOutput(input.Shape, mask, output);
        output.RawIntensity ??= raw;
        if (output.LowerBound is null && output.UpperBound is null)
        {
            (output.LowerBound, output.UpperBound) = (lower, upper);
        }

        CheckSideArrays(output);
        return output;
    }

    /// <summary>Typed <see cref="IDenoiser.Denoise"/>: returns data of the input's shape (the input modified in place or a new instance) whose mask keeps every flag of the input's.</summary>
    protected abstract DiffractionData Denoise(DiffractionData input, TOptions options, StepContext context);

    /// <summary>Throws <see cref="InvalidOperationException"/> when the raw counts or the bounds of <paramref name="output"/> do not hold one value per pixel, or only one bound is set.</summary>
    private void CheckSideArrays(DiffractionData output)
    {
        var name = GetType().Name;
        var n = output.Shape.Length;
        if (output.RawIntensity is { } raw && raw.LongLength != n)
        {
            throw new InvalidOperationException($"denoiser {name} returned raw counts of {raw.LongLength} values for a {output.Shape} pattern");
        }

        if ((output.LowerBound is null) != (output.UpperBound is null))
        {
            throw new InvalidOperationException($"denoiser {name} returned only one intensity bound; set both LowerBound and UpperBound, or neither");
        }

        if (output.LowerBound is { } lower && (lower.LongLength != n || output.UpperBound!.LongLength != n))
        {
            throw new InvalidOperationException($"denoiser {name} returned intensity bounds of {lower.LongLength}/{output.UpperBound!.LongLength} values for a {output.Shape} pattern");
        }
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> unless <paramref name="output"/> has <paramref name="shape"/>, keeps every flag of <paramref name="inputMask"/> and is finite at its measured pixels.</summary>
    private void CheckOutput(Shape shape, uint[] inputMask, DiffractionData? output)
    {
        var name = GetType().Name;
        if (output is null)
        {
            throw new InvalidOperationException($"denoiser {name} returned no data");
        }

        if (output.Shape != shape)
        {
            throw new InvalidOperationException($"denoiser {name} returned shape {output.Shape} for an input of shape {shape}; a denoiser must keep the shape");
        }

        long cleared = 0, notFinite = 0, first = -1;
        for (long i = 0; i < inputMask.LongLength; i++)
        {
            if ((output.Mask[i] & inputMask[i]) != inputMask[i])
            {
                cleared++;
                first = first < 0 ? i : first;
            }
            else if (output.IsMeasured(i) && !float.IsFinite(output.Intensity[i]))
            {
                notFinite++;
            }
        }

        if (cleared > 0)
        {
            throw new InvalidOperationException($"denoiser {name} cleared mask flags at {cleared} pixel(s) (first at index {first}); unknown pixels must stay flagged, never be invented silently");
        }

        if (notFinite > 0)
        {
            throw new InvalidOperationException($"denoiser {name} returned NaN or infinite intensities at {notFinite} measured pixel(s); flag them (e.g. MaskFlags.Invalid) instead");
        }
    }
}
