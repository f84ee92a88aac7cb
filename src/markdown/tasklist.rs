//! Task-list items (`- [ ] …`, `- [x] …`) as disabled checkboxes labelled
//! by their item: comrak draws a bare `<input type="checkbox">`, which
//! screen readers announce without a name. Here the checkbox and the
//! item's first paragraph are one `<label>`:
//!
//! ```html
//! <li class="task-list-item"><label><input type="checkbox" class="task-list-item-checkbox" disabled="" /> Add timeouts</label></li>
//! ```
//!
//! An item with no text of its own (`- [ ]` alone, or over a code block)
//! names its checkbox "Task". Everything else renders as comrak renders
//! it. Only the HTML changes:
//! follow-ups are read from the tree (`Walk::task_items`), not from it.

use std::fmt::Write;

use comrak::html::{ChildRendering, Context, format_node_default};
use comrak::nodes::{AstNode, NodeValue};

comrak::create_formatter!(TaskListFormatter, {
    NodeValue::TaskItem(ref task) => |context, node, entering| {
        return item(context, node, entering, task.symbol.is_some());
    },
    NodeValue::Paragraph => |context, node, entering| {
        return paragraph(context, node, entering);
    },
});

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
            context.write_str("<li")?;
            if context.options.render.tasklist_classes {
                context.write_str(" class=\"task-list-item\"")?;
            }
            context.write_str(">")?;
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
    if context.options.render.tasklist_classes {
        context.write_str(" class=\"task-list-item-checkbox\"")?;
    }
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

    use super::TaskListFormatter;

    fn html(md: &str) -> String {
        let mut o = Options::default();
        o.extension.tasklist = true;
        o.render.tasklist_classes = true;
        let arena = Arena::new();
        let root = parse_document(&arena, md, &o);
        let mut out = String::new();
        TaskListFormatter::format_document_with_plugins(root, &o, &mut out, &Plugins::default())
            .expect("render");
        out
    }

    #[test]
    fn each_checkbox_is_labelled_by_its_item() {
        let out = html("- [x] Add timeouts (OPS-1)\n- [ ] Enable [SMTP](https://x.test/) alerts\n");
        assert_eq!(
            out,
            "<ul class=\"contains-task-list\">\n\
             <li class=\"task-list-item\"><label><input type=\"checkbox\" class=\"task-list-item-checkbox\" checked=\"\" disabled=\"\" /> Add timeouts (OPS-1)</label></li>\n\
             <li class=\"task-list-item\"><label><input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled=\"\" /> Enable <a href=\"https://x.test/\">SMTP</a> alerts</label></li>\n\
             </ul>\n"
        );
    }

    #[test]
    fn loose_and_nested_items_keep_their_blocks_outside_the_label() {
        let out = html("- [ ] First\n\n  More about it.\n\n  - [x] Nested\n- plain\n");
        assert!(
            out.contains("<li class=\"task-list-item\">\n<p><label><input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled=\"\" /> First</label></p>\n<p>More about it.</p>"),
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
            bare.contains("<li class=\"task-list-item\"><input type=\"checkbox\" class=\"task-list-item-checkbox\" aria-label=\"Task\" disabled=\"\" /> \n<pre>"),
            "{bare}"
        );
        let plain = html("Just text.\n\n> quoted\n");
        assert_eq!(
            plain,
            "<p>Just text.</p>\n<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        );
    }
}
