using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Internal;

/// <summary>The Bearer-protected read-only API: <c>/account</c>, <c>/account/root/{rootName}</c>, <c>/path/{pathId}</c>, <c>/path/{pathId}/list</c>, <c>/validate</c>.</summary>
internal static class ApiEndpoints
{
    /// <summary>Page size when <c>pageSize</c> is absent; Ellipsis Drive documents only the maximum (50).</summary>
    public const int DefaultPageSize = 25;

    public const int MaxPageSize = 50;

    private static readonly string[] ItemTypes = ["raster", "vector", "folder", "file", "pointCloud", "bookmark"];
    private static readonly string[] DefaultTypes = ["raster", "vector"];

    public static Task AccountAsync(HttpContext context, EmulatorState state)
    {
        var user = state.FindUserByAccessToken(context.Request.Headers.Authorization, out var problem);
        if (user is null)
        {
            return UnauthorizedAsync(context, state, EmulatorEndpoint.Account, problem!);
        }

        var account = new JsonObject
        {
            ["id"] = user.Id,
            ["username"] = user.Username,
        };
        if (user.Email is not null)
        {
            account["email"] = user.Email;
        }

        if (user.Name is not null)
        {
            account["name"] = user.Name;
        }

        account["disabled"] = user.Disabled;
        account["plan"] = new JsonObject { ["type"] = user.PlanType };
        return Responses.JsonAsync(context, StatusCodes.Status200OK, account);
    }

    public static Task ListRootAsync(HttpContext context, EmulatorState state, string rootName)
    {
        const EmulatorEndpoint Endpoint = EmulatorEndpoint.ListRoot;
        var user = state.FindUserByAccessToken(context.Request.Headers.Authorization, out var problem);
        if (user is null)
        {
            return UnauthorizedAsync(context, state, Endpoint, problem!);
        }

        Func<EmulatorItem, bool>? inRoot = rootName switch
        {
            "myDrive" => i => i.Owner == user && i.ParentId is null && !i.Trashed,
            "sharedWithMe" => i => i.Owner != user && i.SharedWithOthers && !i.Trashed,
            "favorites" => i => i.Owner == user && i.Favorite && !i.Trashed,
            "trash" => i => i.Owner == user && i.Trashed,
            _ => null,
        };
        if (inRoot is null)
        {
            return BadRequestAsync(context, state, Endpoint, "rootName must be one of myDrive, sharedWithMe, favorites, trash.");
        }

        return ListAsync(context, state, Endpoint, user, inRoot);
    }

    /// <summary>
    /// <c>GET path/{pathId}/list</c>: the children of a folder, as the official Python client's <c>listFolder</c> calls it
    /// (<c>type</c>, <c>pageStart</c>, <c>includeTrashed</c>); <c>pageSize</c> as for the root listing.
    /// </summary>
    public static Task ListFolderAsync(HttpContext context, EmulatorState state, string pathId)
    {
        const EmulatorEndpoint Endpoint = EmulatorEndpoint.ListFolder;
        var user = state.FindUserByAccessToken(context.Request.Headers.Authorization, out var problem);
        if (user is null)
        {
            return UnauthorizedAsync(context, state, Endpoint, problem!);
        }

        if (FindAccessible(context, state, Endpoint, pathId, user, out var folder) is { } refused)
        {
            return refused;
        }

        if (folder!.Type != "folder")
        {
            return BadRequestAsync(context, state, Endpoint, "pathId must be a folder.");
        }

        var includeTrashed = false;
        if (context.Request.Query.TryGetValue("includeTrashed", out var includeTrashedValue)
            && !bool.TryParse(includeTrashedValue.ToString(), out includeTrashed))
        {
            return BadRequestAsync(context, state, Endpoint, "includeTrashed must be true or false.");
        }

        return ListAsync(context, state, Endpoint, user, i => string.Equals(i.ParentId, folder.Id, StringComparison.Ordinal) && (includeTrashed || !i.Trashed));
    }

    private static Task ListAsync(HttpContext context, EmulatorState state, EmulatorEndpoint endpoint, EmulatorUser user, Func<EmulatorItem, bool> listed)
    {
        var query = context.Request.Query;
        if (query.Any(p => p.Value.Count > 1))
        {
            return BadRequestAsync(context, state, endpoint, "A query parameter was sent more than once.");
        }

        var types = DefaultTypes;
        if (query.TryGetValue("type", out var typeValue))
        {
            types = ParseTypes(typeValue.ToString())!;
            if (types is null)
            {
                return BadRequestAsync(context, state, endpoint, "type must be a JSON array of one or more of raster, vector, folder, file, pointCloud, bookmark.");
            }
        }

        var pageSize = DefaultPageSize;
        if (query.TryGetValue("pageSize", out var pageSizeValue)
            && (!int.TryParse(pageSizeValue.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageSize)
                || pageSize is < 1 or > MaxPageSize))
        {
            return BadRequestAsync(context, state, endpoint, "pageSize must be a whole number from 1 to 50.");
        }

        var items = state.Items
            .Where(i => listed(i) && types.Contains(i.Type, StringComparer.Ordinal))
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .ThenBy(i => i.Id, StringComparer.Ordinal)
            .ToList();

        var start = 0;
        if (query.TryGetValue("pageStart", out var pageStartValue))
        {
            var pageStart = pageStartValue.ToString();
            start = Guid.TryParse(pageStart, out _)
                ? items.FindIndex(i => string.Equals(i.Id, pageStart, StringComparison.OrdinalIgnoreCase))
                : -1;
            if (start < 0)
            {
                return BadRequestAsync(context, state, endpoint, "pageStart must be a nextPageStart answered by this listing.");
            }
        }

        var result = new JsonArray();
        foreach (var item in items.Skip(start).Take(pageSize))
        {
            result.Add(PathObject(item, user));
        }

        var next = start + pageSize < items.Count ? items[start + pageSize].Id : null;
        return Responses.JsonAsync(context, StatusCodes.Status200OK, new JsonObject
        {
            ["result"] = result,
            ["nextPageStart"] = next,
        });
    }

    public static Task PathAsync(HttpContext context, EmulatorState state, string pathId)
    {
        const EmulatorEndpoint Endpoint = EmulatorEndpoint.Path;
        var user = state.FindUserByAccessToken(context.Request.Headers.Authorization, out var problem);
        if (user is null)
        {
            return UnauthorizedAsync(context, state, Endpoint, problem!);
        }

        return FindAccessible(context, state, Endpoint, pathId, user, out var item)
            ?? Responses.JsonAsync(context, StatusCodes.Status200OK, PathObject(item!, user));
    }

    /// <summary>Finds the item the user may see; otherwise answers 404 (unknown id) or 403 (no access) and returns that answer.</summary>
    private static Task? FindAccessible(HttpContext context, EmulatorState state, EmulatorEndpoint endpoint, string pathId, EmulatorUser user, out EmulatorItem? item)
    {
        if (!state.ItemsById.TryGetValue(pathId, out item))
        {
            Log.Rejected(state.Logger, endpoint, "not_found", "Unknown path id.");
            return Responses.MessageAsync(context, StatusCodes.Status404NotFound, "No path with this id exists.");
        }

        if (item.Owner != user && !(item.SharedWithOthers && !item.Trashed))
        {
            Log.Rejected(state.Logger, endpoint, "forbidden", "No access to the path.");
            item = null;
            return Responses.MessageAsync(context, StatusCodes.Status403Forbidden, "You do not have access to this path.");
        }

        return null;
    }

    public static Task ValidateAsync(HttpContext context, EmulatorState state)
    {
        var user = state.FindUserByAccessToken(context.Request.Headers.Authorization, out _);
        return Responses.JsonAsync(context, StatusCodes.Status200OK, new JsonObject { ["valid"] = user is not null });
    }

    private static string[]? ParseTypes(string value)
    {
        try
        {
            var types = JsonSerializer.Deserialize<string[]>(value);
            return types is { Length: > 0 } && types.All(t => ItemTypes.Contains(t, StringComparer.Ordinal)) ? types : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonObject PathObject(EmulatorItem item, EmulatorUser viewer) => new()
    {
        ["id"] = item.Id,
        ["name"] = item.Name,
        ["type"] = item.Type,
        ["user"] = new JsonObject { ["id"] = item.Owner.Id, ["username"] = item.Owner.Username },
        ["yourAccess"] = new JsonObject { ["accessLevel"] = item.Owner == viewer ? 1000 : 100 },
        ["trashed"] = item.Trashed,
        ["favorite"] = item.Owner == viewer && item.Favorite,
        ["metadata"] = new JsonObject { ["description"] = item.Description, ["properties"] = new JsonObject() },
    };

    private static Task UnauthorizedAsync(HttpContext context, EmulatorState state, EmulatorEndpoint endpoint, string message)
    {
        Log.Rejected(state.Logger, endpoint, "unauthorized", message);
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Responses.MessageAsync(context, StatusCodes.Status401Unauthorized, message);
    }

    private static Task BadRequestAsync(HttpContext context, EmulatorState state, EmulatorEndpoint endpoint, string message)
    {
        Log.Rejected(state.Logger, endpoint, "bad_request", message);
        return Responses.MessageAsync(context, StatusCodes.Status400BadRequest, message);
    }
}
