using Cxdi.Sdk.Errors;

namespace Cxdi.Plugins.Phasing.Engine;

/// <summary>
/// Which frames of a stack a series step phases and which it writes: the range (first_frame, frame_count), the block inside
/// it (block_start, block_count) and the frame the block is phased from (the block start minus the overlap, within the range).
/// </summary>
/// <param name="RangeStart">First frame of the range (absolute index along the stack's first axis).</param>
/// <param name="RangeCount">Frames in the range.</param>
/// <param name="BlockStart">First frame written (absolute).</param>
/// <param name="BlockCount">Frames written.</param>
/// <param name="PhaseFrom">First frame phased, ab initio (absolute; ≤ <paramref name="BlockStart"/>).</param>
internal sealed record SeriesFrames(int RangeStart, int RangeCount, int BlockStart, int BlockCount, int PhaseFrom)
{
    /// <summary>Frames phased but not written (the overlap actually used).</summary>
    public int Lead => BlockStart - PhaseFrom;

    /// <summary>Resolves the options against a stack of <paramref name="frames"/> frames; throws a one-line <see cref="WorkflowShapeException"/> when the range or the block lies outside it.</summary>
    public static SeriesFrames Resolve(int frames, SeriesPhaseOptions options, string source)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.FirstFrame >= frames)
        {
            throw new WorkflowShapeException($"first_frame {options.FirstFrame} is outside the {frames} frames of {source} (frames 0 to {frames - 1})", "lower first_frame");
        }

        var rangeCount = options.FrameCount ?? (frames - options.FirstFrame);
        if ((long)options.FirstFrame + rangeCount > frames)
        {
            throw new WorkflowShapeException($"frame_count {rangeCount} from first_frame {options.FirstFrame} runs past the {frames} frames of {source} (at most {frames - options.FirstFrame})", "lower frame_count or leave it empty for all remaining frames");
        }

        if (options.BlockStart >= rangeCount)
        {
            throw new WorkflowShapeException($"block_start {options.BlockStart} is outside the range of {rangeCount} frames", $"use block_start below {rangeCount}");
        }

        var blockCount = options.BlockCount > 0 ? options.BlockCount : rangeCount - options.BlockStart;
        if ((long)options.BlockStart + blockCount > rangeCount)
        {
            throw new WorkflowShapeException($"block_count {blockCount} from block_start {options.BlockStart} runs past the range of {rangeCount} frames (at most {rangeCount - options.BlockStart})", "lower block_count or set it to 0 for the rest of the range");
        }

        var blockStart = options.FirstFrame + options.BlockStart;
        var phaseFrom = Math.Max(options.FirstFrame, blockStart - options.Overlap);
        return new SeriesFrames(options.FirstFrame, rangeCount, blockStart, blockCount, phaseFrom);
    }
}
