namespace Cxdi.Sdk.Readers;

/// <summary>What a reader learns from headers alone: the stored dimensions (slowest first) and element type.</summary>
/// <param name="Dims">Dimensions as stored, slowest first.</param>
/// <param name="Type">Element type.</param>
public sealed record ArrayHeader(long[] Dims, ElementType Type);

/// <summary>A contiguous range of frames along the slowest axis of a stack.</summary>
/// <param name="First">First frame, from 0.</param>
/// <param name="Count">Number of frames.</param>
public readonly record struct FrameRange(int First, int Count);
