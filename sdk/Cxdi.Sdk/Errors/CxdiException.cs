namespace Cxdi.Sdk.Errors;

/// <summary>
/// Base of every user-facing error: bad input, bad options, a numerical failure with an explanation. The host prints
/// <see cref="Exception.Message"/> on one line (plus <see cref="Hint"/>) and exits 2 (input) or 1 (run) — never a stack trace.
/// Anything else that escapes a plugin is a bug.
/// </summary>
public abstract class CxdiException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected CxdiException(string message, string? hint = null, Exception? inner = null)
        : base(message, inner)
    {
        Hint = hint;
    }

    /// <summary>What to do about it, in one sentence; null when the message says it all.</summary>
    public string? Hint { get; }

    /// <summary>True when the user's input (file, option, workflow) is at fault: exit code 2; false for a failed run: exit code 1.</summary>
    public virtual bool IsInputError => true;

    /// <summary>Message and hint on one line.</summary>
    public string OneLine => Hint is null ? Message : $"{Message} ({Hint})";
}

/// <summary>An input file is missing, unreadable, truncated, or its content contradicts its header.</summary>
public sealed class InvalidInputException(string file, string message, string? hint = null, Exception? inner = null)
    : CxdiException($"{file}: {message}", hint, inner)
{
    /// <summary>The offending file (and inner path).</summary>
    public string File { get; } = file;
}

/// <summary>No reader understands the file, or the file declares a variant this reader does not support.</summary>
public sealed class UnsupportedFormatException(string file, string message, string? hint = null)
    : CxdiException($"{file}: {message}", hint)
{
    /// <summary>The offending file.</summary>
    public string File { get; } = file;
}

/// <summary>A step cannot accept what the previous step produces (2D vs 3D, detector vs object space).</summary>
public sealed class WorkflowShapeException(string message, string? hint = null) : CxdiException(message, hint)
{
    /// <summary>Throws unless <paramref name="spec"/> is real detector-space data.</summary>
    public static void ThrowUnlessDetector(Cxdi.Sdk.Data.DataSpec spec)
    {
        if (spec.Space != Cxdi.Sdk.Data.DataSpace.Detector || spec.IsComplex)
        {
            throw new WorkflowShapeException($"this step needs detector-space intensities but receives {spec}", "place it before the phasing step");
        }
    }
}

/// <summary>A workflow names a plugin id that no loaded plugin provides, or provides under another role.</summary>
public sealed class PluginNotFoundException(string id, string message, string? hint = null) : CxdiException(message, hint)
{
    /// <summary>The id asked for.</summary>
    public string Id { get; } = id;
}

/// <summary>A run needs more memory than the machine (or device) has; refused before allocating.</summary>
public sealed class InsufficientMemoryForRunException(long neededBytes, long availableBytes, string what)
    : CxdiException($"{what} needs {neededBytes / (1 << 20)} MiB but only {availableBytes / (1 << 20)} MiB are available", "bin or crop the data, or run fewer runs in parallel")
{
    /// <summary>Bytes the run needs.</summary>
    public long NeededBytes { get; } = neededBytes;

    /// <summary>Bytes available.</summary>
    public long AvailableBytes { get; } = availableBytes;

    /// <inheritdoc />
    public override bool IsInputError => false;
}
