// Progressive enhancement only: every page works without this file.
"use strict";

// "Copy" buttons next to a correlation id: shown only where the clipboard can be written.
document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll("button[data-copy]")) {
        const source = document.getElementById(button.dataset.copy);
        if (!source || !navigator.clipboard) {
            continue;
        }

        button.hidden = false;
        button.addEventListener("click", async () => {
            try {
                await navigator.clipboard.writeText(source.textContent.trim());
                button.textContent = "Copied";
            } catch {
                button.textContent = "Select and copy the id";
            }
        });
    }
});

// A signed-in page restored from the back/forward cache after signing out elsewhere: ask the server again, which
// answers with the sign-in page. The server already marks these pages no-store; this covers browsers that keep them anyway.
window.addEventListener("pageshow", (event) => {
    if (event.persisted && document.body.dataset.signedIn === "true") {
        window.location.reload();
    }
});
