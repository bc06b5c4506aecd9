using System.Net;

namespace AspNet.Security.OAuth.EllipsisDrive.Emulator.Tests;

/// <summary><c>GET path/{pathId}/list</c>: a folder's children, paged like the root listing.</summary>
public sealed class FolderListingTests : EmulatorTestBase
{
    private static readonly string AllTypes = Uri.EscapeDataString("""["folder","raster","vector","pointCloud","file","bookmark"]""");

    [Fact]
    public async Task A_folder_lists_its_children_and_my_drive_lists_only_the_top_level()
    {
        await StartAsync();
        var token = await AccessTokenAsync();
        var projects = await IdOfAsync("account/root/myDrive?type=" + AllTypes, "Projects", token);

        var children = await NamesAsync($"path/{projects}/list?type={AllTypes}", token);
        var top = await NamesAsync("account/root/myDrive?type=" + AllTypes, token);

        Assert.Equal(["Drone flight", "Harbour survey", "Project notes.pdf", "Site plan"], children);
        Assert.DoesNotContain("Harbour survey", top);
        Assert.Equal(1, Emulator.CountRequests(EmulatorEndpoint.ListFolder));
    }

    [Fact]
    public async Task A_folder_pages_with_next_page_start_and_lists_trashed_children_only_when_asked()
    {
        await StartAsync();
        var token = await AccessTokenAsync();
        var projects = await IdOfAsync("account/root/myDrive?type=" + AllTypes, "Projects", token);

        using var first = await GetApiAsync($"path/{projects}/list?type={AllTypes}&pageSize=3", token);
        var page = await JsonAsync(first);
        var next = page.GetProperty("nextPageStart").GetString();
        var rest = await NamesAsync($"path/{projects}/list?type={AllTypes}&pageSize=3&pageStart={next}", token);
        var withTrash = await NamesAsync($"path/{projects}/list?type={AllTypes}&includeTrashed=true", token);

        Assert.Equal(3, page.GetProperty("result").GetArrayLength());
        Assert.Equal(["Site plan"], rest);
        Assert.Contains("Old sketch", withTrash);
    }

    [Fact]
    public async Task Another_users_folder_is_403_an_unknown_one_404_and_a_layer_400()
    {
        await StartAsync();
        var bobsProjects = await IdOfAsync("account/root/myDrive?type=" + AllTypes, "Projects", await AccessTokenAsync("bob"));
        var token = await AccessTokenAsync();
        var parcels = await IdOfAsync("account/root/myDrive?type=" + AllTypes, "Parcels", token);

        using var other = await GetApiAsync($"path/{bobsProjects}/list", token);
        using var unknown = await GetApiAsync($"path/{Guid.NewGuid()}/list", token);
        using var layer = await GetApiAsync($"path/{parcels}/list", token);
        using var anonymous = await GetApiAsync($"path/{parcels}/list", null);

        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, layer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.True((await JsonAsync(layer)).TryGetProperty("message", out _));
    }

    private async Task<string> IdOfAsync(string listing, string name, string token)
    {
        using var response = await GetApiAsync(listing, token);
        var result = (await JsonAsync(response)).GetProperty("result").EnumerateArray();
        return result.Single(i => i.GetProperty("name").GetString() == name).GetProperty("id").GetString()!;
    }

    private async Task<IReadOnlyList<string>> NamesAsync(string relative, string token)
    {
        using var response = await GetApiAsync(relative, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await JsonAsync(response)).GetProperty("result").EnumerateArray().Select(i => i.GetProperty("name").GetString()!)];
    }
}
