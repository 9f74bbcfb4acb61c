// The two DOM helpers every part of the page uses. Tokens come from users and models,
// so they only ever enter the page as text (textContent), never as markup.

/** The first element matching ``selector`` under ``root``. */
export const $ = (selector, root = document) => root.querySelector(selector);

/**
 * A new element of ``tag`` with this class and text.
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElement}
 */
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
