//! How a body's HTML differs from comrak's: headings link to themselves
//! through their text, and task-list items (`- [ ] …`, `- [x] …`) are
//! disabled checkboxes labelled
//! by their item: comrak draws a bare `<input type="checkbox">`, which
//! screen readers announce without a name. Here the checkbox and the
//! item's first paragraph are one `<label>`:
//!
//! ```html
//! <li><label><input type="checkbox" disabled="" /> Add timeouts</label></li>
//! ```
//!
//! An item with no text of its own (`- [ ]` alone, or over a code block)
//! names its checkbox "Task". Everything else renders as comrak renders
//! it. Only the HTML changes:
//! follow-ups are read from the tree (`Walk::task_items`), not from it.

use std::fmt::Write;

use comrak::html::{ChildRendering, Context, format_node_default};
use comrak::nodes::{AstNode, NodeValue};

comrak::create_formatter!(BodyFormatter, {
    NodeValue::TaskItem(ref task) => |context, node, entering| {
        return item(context, node, entering, task.symbol.is_some());
    },
    NodeValue::Paragraph => |context, node, entering| {
        return paragraph(context, node, entering);
    },
    NodeValue::Heading(ref h) => |context, node, entering| {
        return heading(context, node, entering, h.level);
    },
});

/// A heading whose text links to it: `<h2 id="impact"><a
/// href="#impact">Impact</a></h2>`, named by its own text (comrak's
/// anchor after the text repeats the text twice more in attributes). A
/// heading that holds a link of its own gets the link after its text.
fn heading<'a>(
    context: &mut Context<'_, '_>,
    node: &'a AstNode<'a>,
    entering: bool,
    level: u8,
) -> Result<ChildRendering, std::fmt::Error> {
    let has_link = || {
        node.descendants().any(|d| {
            matches!(
                d.data().value,
                NodeValue::Link(_) | NodeValue::Image(_) | NodeValue::WikiLink(_)
            )
        })
    };
    if entering {
        let id = context.anchorizer.anchorize(&node.collect_text());
        context.cr()?;
        write!(context, "<h{level} id=\"{id}\">")?;
        if !has_link() {
            write!(context, "<a href=\"#{id}\">")?;
        }
        context.current_anchorized_id = Some(id);
    } else {
        let id = context.current_anchorized_id.take().unwrap_or_default();
        if has_link() {
            write!(
                context,
                "<a href=\"#{id}\" class=\"anchor\" aria-label=\"Link to this section\"></a>"
            )?;
        } else {
            context.write_str("</a>")?;
        }
        write!(context, "</h{level}>")?;
        context.lf()?;
    }
    Ok(ChildRendering::HTML)
}

/// The paragraph that labels a task item's checkbox: its first child,
/// when that is a paragraph.
fn label_of<'a>(item: &'a AstNode<'a>) -> Option<&'a AstNode<'a>> {
    item.first_child()
        .filter(|c| matches!(c.data().value, NodeValue::Paragraph))
}

/// The `<li>` of a task item; its checkbox, when no paragraph of the
/// item draws it.
fn item<'a>(
    context: &mut Context<'_, '_>,
    node: &'a AstNode<'a>,
    entering: bool,
    checked: bool,
) -> Result<ChildRendering, std::fmt::Error> {
    let in_list = node
        .parent()
        .is_some_and(|p| matches!(p.data().value, NodeValue::List(_)));
    if entering {
        if in_list {
            context.cr()?;
            // The list says it holds tasks (`contains-task-list`); a class
            // on every item and checkbox would only repeat it.
            context.write_str("<li>")?;
        }
        if label_of(node).is_none() {
            checkbox(context, checked, " aria-label=\"Task\"")?;
        }
    } else if in_list {
        context.write_str("</li>")?;
        context.lf()?;
    }
    Ok(ChildRendering::HTML)
}

fn checkbox(context: &mut Context<'_, '_>, checked: bool, attrs: &str) -> std::fmt::Result {
    context.write_str("<input type=\"checkbox\"")?;
    if checked {
        context.write_str(" checked=\"\"")?;
    }
    context.write_str(attrs)?;
    context.write_str(" disabled=\"\" /> ")
}

/// A paragraph; the first one of a task item holds the item's checkbox
/// in a `<label>` with its text.
fn paragraph<'a>(
    context: &mut Context<'_, '_>,
    node: &'a AstNode<'a>,
    entering: bool,
) -> Result<ChildRendering, std::fmt::Error> {
    let task = node.parent().and_then(|p| match p.data().value {
        NodeValue::TaskItem(ref t) => label_of(p)
            .filter(|l| std::ptr::eq(*l, node))
            .map(|_| t.symbol.is_some()),
        _ => None,
    });
    let Some(checked) = task else {
        return format_node_default(context, node, entering);
    };
    if !entering {
        context.write_str("</label>")?;
        return format_node_default(context, node, entering);
    }
    let rendering = format_node_default(context, node, entering)?;
    context.write_str("<label>")?;
    checkbox(context, checked, "")?;
    Ok(rendering)
}

#[cfg(test)]
mod tests {
    use comrak::options::Plugins;
    use comrak::{Arena, Options, parse_document};

    use super::BodyFormatter;

    fn html(md: &str) -> String {
        let mut o = Options::default();
        o.extension.tasklist = true;
        o.render.tasklist_classes = true;
        let arena = Arena::new();
        let root = parse_document(&arena, md, &o);
        let mut out = String::new();
        BodyFormatter::format_document_with_plugins(root, &o, &mut out, &Plugins::default())
            .expect("render");
        out
    }

    #[test]
    fn headings_link_to_themselves_through_their_text() {
        let out = html(
            "## What went well\n\n## What went well\n\n### See [the runbook](https://x.test/)\n",
        );
        assert_eq!(
            out,
            "<h2 id=\"what-went-well\"><a href=\"#what-went-well\">What went well</a></h2>\n\
             <h2 id=\"what-went-well-1\"><a href=\"#what-went-well-1\">What went well</a></h2>\n\
             <h3 id=\"see-the-runbook\">See <a href=\"https://x.test/\">the runbook</a><a href=\"#see-the-runbook\" class=\"anchor\" aria-label=\"Link to this section\"></a></h3>\n"
        );
    }

    #[test]
    fn each_checkbox_is_labelled_by_its_item() {
        let out = html("- [x] Add timeouts (OPS-1)\n- [ ] Enable [SMTP](https://x.test/) alerts\n");
        assert_eq!(
            out,
            "<ul class=\"contains-task-list\">\n\
             <li><label><input type=\"checkbox\" checked=\"\" disabled=\"\" /> Add timeouts (OPS-1)</label></li>\n\
             <li><label><input type=\"checkbox\" disabled=\"\" /> Enable <a href=\"https://x.test/\">SMTP</a> alerts</label></li>\n\
             </ul>\n"
        );
    }

    #[test]
    fn loose_and_nested_items_keep_their_blocks_outside_the_label() {
        let out = html("- [ ] First\n\n  More about it.\n\n  - [x] Nested\n- plain\n");
        assert!(
            out.contains("<li>\n<p><label><input type=\"checkbox\" disabled=\"\" /> First</label></p>\n<p>More about it.</p>"),
            "{out}"
        );
        assert!(
            out.contains("checked=\"\" disabled=\"\" /> Nested</label>"),
            "{out}"
        );
        assert!(out.contains("<li>\n<p>plain</p>\n</li>"), "{out}");
        // Paragraphs elsewhere are untouched, and every label closes.
        assert_eq!(
            out.matches("<label>").count(),
            out.matches("</label>").count()
        );
        // No text of its own: a named checkbox all the same.
        let bare = html("- [ ]\n  ```\n  code\n  ```\n");
        assert!(
            bare.contains(
                "<li><input type=\"checkbox\" aria-label=\"Task\" disabled=\"\" /> \n<pre>"
            ),
            "{bare}"
        );
        let plain = html("Just text.\n\n> quoted\n");
        assert_eq!(
            plain,
            "<p>Just text.</p>\n<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        );
    }
}
