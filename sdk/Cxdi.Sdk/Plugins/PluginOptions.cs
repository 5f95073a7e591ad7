using System.ComponentModel.DataAnnotations;

namespace Cxdi.Sdk.Plugins;

/// <summary>
/// Base of every options record bound from a step's <c>with:</c> block. Public settable properties are the keys (written in
/// snake_case in YAML unless <see cref="OptionNameAttribute"/> says otherwise); unknown keys are errors. Put range checks in
/// DataAnnotations attributes and cross-field checks in <see cref="Validate()"/>; the host reports every problem at once.
/// </summary>
public abstract record PluginOptions
{
    /// <summary>Cross-field checks run after binding and attribute validation; yield one problem per violated rule.</summary>
    public virtual IEnumerable<OptionProblem> Validate() => [];

    /// <summary>Cross-field checks that need what the host has loaded (e.g. the phasing operators of every plugin); by default <see cref="Validate()"/>.</summary>
    public virtual IEnumerable<OptionProblem> Validate(OptionsContext context) => Validate();
}

/// <summary>What the host knows when it validates options: the loaded phasing operators.</summary>
public sealed class OptionsContext
{
    /// <summary>The phasing operators of every loaded plugin; null outside a host.</summary>
    public Phasing.OperatorRegistry? Operators { get; init; }

    /// <summary>A context without a host.</summary>
    public static OptionsContext None { get; } = new();
}

/// <summary>A plugin without knobs binds to this (an empty <c>with:</c> block or none).</summary>
public sealed record NoOptions : PluginOptions;

/// <summary>One invalid option value.</summary>
/// <param name="Key">The property name (C# name; the host maps it to the YAML key and line).</param>
/// <param name="Message">What is wrong and how to fix it.</param>
public sealed record OptionProblem(string Key, string Message);

/// <summary>Overrides the YAML key of an option property (default: the property name in snake_case).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OptionNameAttribute(string name) : Attribute
{
    /// <summary>The YAML key.</summary>
    public string Name { get; } = name;
}

/// <summary>States the unit of an option value (px, m, eV, photons…), shown in help and forms.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class UnitAttribute(string unit) : Attribute
{
    /// <summary>The unit symbol.</summary>
    public string Unit { get; } = unit;
}

/// <summary>Validates that a value is strictly positive.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PositiveAttribute : ValidationAttribute
{
    /// <inheritdoc />
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        int i => i > 0,
        long l => l > 0,
        float f => f > 0 && float.IsFinite(f),
        double d => d > 0 && double.IsFinite(d),
        _ => true,
    };

    /// <inheritdoc />
    public override string FormatErrorMessage(string name) => $"{name} must be greater than 0";
}
