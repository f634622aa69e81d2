using System.Collections;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace ConsentPlatform.ServiceDefaults.Web;

/// <summary>
/// Applies <see cref="FreeText"/> to every text an endpoint binds — query, route, form and JSON
/// body, nested objects and lists included — before the handler runs, so no endpoint can forget
/// it. Refused text is a 400 naming the field; accepted text reaches the handler in NFC. A null
/// inside a list of texts is refused here too: handlers treat list entries as present.
/// </summary>
public static class FreeTextFilter
{
    private const int MaxDepth = 8;
    private static readonly ConcurrentDictionary<Type, TextProperty[]> Properties = new();
    // Asked for every value of every request; Assembly.GetName() allocates each time it is called.
    private static readonly ConcurrentDictionary<Type, bool> OwnModels = new();

    /// <summary>A property with compiled accessors: reflection's GetValue/SetValue cost more than the check itself on every request.</summary>
    private sealed record TextProperty(string Name, bool Multiline, Func<object, object?> Get, Action<object, object?> Set);

    private sealed record Argument(int Index, string Path, bool Multiline);

    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var isService = context.ApplicationServices.GetService<IServiceProviderIsService>();
        var arguments = new List<Argument>();
        foreach (var parameter in context.MethodInfo.GetParameters())
        {
            var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
            if (parameter.GetCustomAttributes().OfType<IFromServiceMetadata>().Any() || isService?.IsService(type) == true) continue;
            var multiline = parameter.IsDefined(typeof(MultilineTextAttribute));
            if (type == typeof(string) || typeof(IEnumerable<string>).IsAssignableFrom(type))
                arguments.Add(new Argument(parameter.Position, BindingName(parameter), multiline));
            else if (IsOwnModel(type))
                // A model's fields are named as the client sends them, without the parameter's name.
                arguments.Add(new Argument(parameter.Position, "", multiline));
        }
        if (arguments.Count == 0) return next;

        return invocation =>
        {
            var errors = new Dictionary<string, string[]>();
            foreach (var argument in arguments)
            {
                var value = invocation.Arguments[argument.Index];
                var checkedValue = Visit(value, argument.Path, argument.Multiline, errors, 0);
                if (!ReferenceEquals(checkedValue, value)) invocation.Arguments[argument.Index] = checkedValue;
            }
            return errors.Count == 0 ? next(invocation) : ValueTask.FromResult<object?>(TypedResults.ValidationProblem(errors));
        };
    }

    /// <summary>Checks the value and returns it with its texts in NFC (a new string where normalization changed one).</summary>
    private static object? Visit(object? value, string path, bool multiline, Dictionary<string, string[]> errors, int depth)
    {
        switch (value)
        {
            case null:
                return null;
            case string text:
                if (FreeText.Problem(text, multiline) is { } problem)
                {
                    errors.TryAdd(path.Length == 0 ? "body" : path, [problem]);
                    return text;
                }
                return FreeText.Normalize(text);
            case IList<string> list:
                for (var i = 0; i < list.Count; i++)
                {
                    var item = list[i];
                    if (item is null)
                    {
                        errors.TryAdd($"{path}[{i}]", ["A value is required (null is not allowed in this list)."]);
                        continue;
                    }
                    // An array reports IsReadOnly yet takes element writes.
                    if (Visit(item, $"{path}[{i}]", multiline, errors, depth) is string normalized && !ReferenceEquals(normalized, item) && (list is string[] || !list.IsReadOnly))
                        list[i] = normalized;
                }
                return value;
            case IDictionary dictionary when depth < MaxDepth:
                var replaced = new List<(object Key, object? Value)>();
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = entry.Key.ToString() ?? "";
                    if (FreeText.Problem(key, multiline: false) is { } keyProblem)
                    {
                        errors.TryAdd(path, [$"A key is refused: {keyProblem}"]);
                        continue;
                    }
                    var checkedValue = Visit(entry.Value, Join(path, key), multiline, errors, depth + 1);
                    if (!ReferenceEquals(checkedValue, entry.Value)) replaced.Add((entry.Key, checkedValue));
                }
                if (!dictionary.IsReadOnly)
                    foreach (var (key, checkedValue) in replaced) dictionary[key] = checkedValue;
                return value;
            case IEnumerable items when depth < MaxDepth && IsOwnModel(value.GetType().GetGenericArguments().FirstOrDefault() ?? value.GetType().GetElementType()):
                var index = 0;
                foreach (var item in items) Visit(item, $"{path}[{index++}]", multiline, errors, depth + 1);
                return value;
            default:
                if (depth >= MaxDepth || !IsOwnModel(value.GetType())) return value;
                foreach (var property in Properties.GetOrAdd(value.GetType(), PropertiesOf))
                {
                    var current = property.Get(value);
                    var checkedValue = Visit(current, Join(path, property.Name), property.Multiline, errors, depth + 1);
                    if (!ReferenceEquals(checkedValue, current)) property.Set(value, checkedValue);
                }
                return value;
        }
    }

    private static TextProperty[] PropertiesOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && !p.IsDefined(typeof(JsonIgnoreAttribute)))
            .Select(p => new TextProperty(p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name),
                p.IsDefined(typeof(MultilineTextAttribute)), Getter(p), Setter(p)))
            .ToArray();

    private static Func<object, object?> Getter(PropertyInfo property)
    {
        var instance = Expression.Parameter(typeof(object));
        var read = Expression.Property(Expression.Convert(instance, property.DeclaringType!), property);
        return Expression.Lambda<Func<object, object?>>(Expression.Convert(read, typeof(object)), instance).Compile();
    }

    private static Action<object, object?> Setter(PropertyInfo property)
    {
        var instance = Expression.Parameter(typeof(object));
        var value = Expression.Parameter(typeof(object));
        var write = Expression.Assign(Expression.Property(Expression.Convert(instance, property.DeclaringType!), property), Expression.Convert(value, property.PropertyType));
        return Expression.Lambda<Action<object, object?>>(write, instance, value).Compile();
    }

    /// <summary>The platform's own input records; framework and primitive types hold no free text to check.</summary>
    private static bool IsOwnModel(Type? type) =>
        type is { IsClass: true } && type != typeof(string)
        && OwnModels.GetOrAdd(type, static t => t.Assembly.GetName().Name?.StartsWith("ConsentPlatform.", StringComparison.Ordinal) == true);

    private static string BindingName(ParameterInfo parameter) =>
        parameter.GetCustomAttributes().OfType<IFromQueryMetadata>().FirstOrDefault()?.Name
        ?? parameter.GetCustomAttributes().OfType<IFromFormMetadata>().FirstOrDefault()?.Name
        ?? parameter.GetCustomAttributes().OfType<IFromRouteMetadata>().FirstOrDefault()?.Name
        ?? parameter.Name ?? "value";

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
