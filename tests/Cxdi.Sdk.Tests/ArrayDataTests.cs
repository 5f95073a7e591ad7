using Cxdi.Sdk.Readers;

namespace Cxdi.Sdk.Tests;

public sealed class ArrayDataTests
{
    [Fact]
    public void Constructor_BytesNotMatchingTheDims_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ArrayData([2, 3], ElementType.Int16, new byte[10]));
    }

    [Fact]
    public void ToFloat_BigEndianInt16AfterSwap_ConvertsExactly()
    {
        byte[] bigEndian = [0xFF, 0xFE, 0x01, 0x00];
        ArrayData.SwapInPlace(bigEndian, ElementType.Int16);

        var array = new ArrayData([2], ElementType.Int16, bigEndian);

        Assert.Equal([-2f, 256f], array.ToFloat());
        Assert.Equal(2, array.Count);
    }

    [Fact]
    public void ToFlags_FloatsBecomeOneWhenNonZeroIntegersKeepTheirBits()
    {
        var floats = new ArrayData([3], ElementType.Float32, [.. BitConverter.GetBytes(0f), .. BitConverter.GetBytes(float.NaN), .. BitConverter.GetBytes(2.5f)]);
        var ints = new ArrayData([2], ElementType.UInt32, [.. BitConverter.GetBytes(0x10001u), .. BitConverter.GetBytes(0u)]);

        Assert.Equal([0u, 1, 1], floats.ToFlags());
        Assert.Equal([0x10001u, 0], ints.ToFlags());
    }

    [Fact]
    public void ElementTypes_SizesAndNames()
    {
        Assert.Equal(8, ElementTypes.SizeOf(ElementType.UInt64));
        Assert.Equal("float32", ElementTypes.Name(ElementType.Float32));
        Assert.True(ElementTypes.IsInteger(ElementType.Bool));
        Assert.False(ElementTypes.IsInteger(ElementType.Float64));
    }

    [Fact]
    public void CheckDeclaredSize_MoreThanOneArrayCanHold_IsRejectedBeforeAllocating()
    {
        var error = Assert.Throws<Errors.InvalidInputException>(() => ReaderErrors.CheckDeclaredSize("huge.raw", [100_000, 100_000, 100_000], 4, available: null));

        Assert.Contains("elements, more than the", error.Message, StringComparison.Ordinal);
    }
}
