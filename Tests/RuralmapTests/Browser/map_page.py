#!/usr/bin/env python3
"""Drives the daemon's map page in headless Chromium and prints what it observed, as JSON.

The Swift test (MapTests) starts the daemon, runs this script and compares the observations
with the data: this script asserts nothing itself, so that every expected value comes from the
data files, not from here.

usage: map_page.py --base URL --dep DEP [--dep DEP] --click CODE --screenshots DIR --name NAME
                   [--token TOKEN --note TEXT [--premises LABEL]]
"""
import argparse
import json
import os
import sys
import time
from urllib.parse import urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1500,1100", "--lang=fr-FR", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-features=Translate,OptimizationHints,MediaRouter"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def wait_ready(driver):
    WebDriverWait(driver, 30, ignored_exceptions=[StaleElementReferenceException]).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    return driver.find_element(By.TAG_NAME, "body").get_attribute("data-ready")


def requested_urls(driver):
    """Every URL the page asked for, from Chromium's network log."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def table_codes(driver):
    return [row.get_attribute("data-code") for row in driver.find_elements(By.CSS_SELECTOR, "#candidates tbody tr")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--dep", action="append", required=True)
    parser.add_argument("--click", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--token")
    parser.add_argument("--note")
    parser.add_argument("--premises")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    shot = lambda driver, what: driver.save_screenshot(os.path.join(args.screenshots, f"{args.name}-{what}.png"))
    seen = {}
    driver = browser()
    try:
        # The picker, without a département.
        driver.get(args.base + "/")
        seen["picker_ready"] = wait_ready(driver)
        seen["picker_choices"] = len(driver.find_elements(By.CSS_SELECTOR, "#picker-list input[type=checkbox]"))
        shot(driver, "picker")

        query = "&".join(f"dep={d}" for d in args.dep)
        driver.get(f"{args.base}/?{query}")
        seen["ready"] = wait_ready(driver)
        seen["message"] = driver.find_element(By.ID, "message").text
        seen["html_lang"] = driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
        seen["title"] = driver.find_element(By.TAG_NAME, "h1").text
        shapes = driver.find_elements(By.CSS_SELECTOR, "#map [data-code]")
        seen["shapes"] = len(shapes)
        seen["shape_codes"] = sorted(s.get_attribute("data-code") for s in shapes)
        seen["shape_tags"] = sorted({s.tag_name for s in shapes})
        seen["focusable_shapes"] = sum(1 for s in shapes if s.get_attribute("tabindex") == "0" and s.get_attribute("aria-label"))
        legend = driver.find_elements(By.CSS_SELECTOR, "#map [data-role=legend]")
        seen["legend"] = legend[0].text if legend else None
        seen["scale_bar"] = len(driver.find_elements(By.CSS_SELECTOR, "#map [data-role=scale-bar]")) == 1
        seen["download_links"] = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#downloads a")]
        seen["alerts"] = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#alerts li")]
        seen["alerts_feed"] = driver.find_element(By.ID, "alerts-feed").get_attribute("href")
        seen["alert_marks"] = sorted(s.get_attribute("data-code") for s in driver.find_elements(By.CSS_SELECTOR, "#map [data-alert]"))
        shot(driver, "map")

        # Hover: name and population.
        target = driver.find_element(By.CSS_SELECTOR, f'#map [data-code="{args.click}"]')
        ActionChains(driver).move_to_element(target).perform()
        WebDriverWait(driver, 5, ignored_exceptions=[StaleElementReferenceException]).until(lambda d: d.find_element(By.ID, "tooltip").is_displayed())
        seen["tooltip"] = driver.find_element(By.ID, "tooltip").text

        # Click: the card.
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", target)
        WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(lambda d: d.find_element(By.ID, "card").is_displayed()
                                        and d.find_elements(By.ID, "card-title"))
        card = driver.find_element(By.ID, "card")
        seen["card_title"] = driver.find_element(By.ID, "card-title").text
        seen["card_headings"] = [h.text for h in card.find_elements(By.TAG_NAME, "h3")]
        seen["card_text"] = card.text
        seen["highlighted"] = len(driver.find_elements(By.CSS_SELECTOR, "#map .highlight"))
        shot(driver, "card")

        # The commune's places in the card, the markers on the map.
        site_rows = lambda d: [r.get_attribute("data-site") for r in d.find_elements(By.CSS_SELECTOR, "#card table.sites tbody tr")]
        seen["card_sites"] = site_rows(driver)
        seen["card_sites_text"] = "\n".join(r.text for r in driver.find_elements(By.CSS_SELECTOR, "#card table.sites tbody tr"))
        seen["site_markers"] = sorted(m.get_attribute("data-site") for m in driver.find_elements(By.CSS_SELECTOR, "#map [data-site]"))
        seen["site_legend"] = sorted(m.get_attribute("data-legend-site") for m in driver.find_elements(By.CSS_SELECTOR, "#map [data-legend-site]"))

        # Premises added from the card with the token: the card lists them afterwards.
        if args.token and args.premises:
            form = driver.find_element(By.ID, "premises-add")
            form.find_element(By.NAME, "premises_label").send_keys(args.premises)
            form.find_element(By.CSS_SELECTOR, "select[name=premises_kind] option[value=communal]").click()
            token = driver.find_element(By.CSS_SELECTOR, "#card input[name=site_token]")
            token.clear()
            token.send_keys(args.token)
            before = len(seen["card_sites"])
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(lambda d: len(site_rows(d)) > before)
            seen["card_sites_after"] = site_rows(driver)
            seen["card_sites_text_after"] = driver.find_element(By.CSS_SELECTOR, "#card table.sites").text

        # The table: default order, then sorted by population (ascending, then descending).
        seen["table_default"] = table_codes(driver)
        population = driver.find_element(By.CSS_SELECTOR, '#candidates th[data-sort="population"] button')
        population.click()
        seen["table_population_ascending"] = table_codes(driver)
        seen["aria_sort"] = driver.find_element(By.CSS_SELECTOR, '#candidates th[data-sort="population"]').get_attribute("aria-sort")
        population.click()
        seen["table_population_descending"] = table_codes(driver)

        # The café column, and the N best of each département.
        seen["table_cafe"] = sorted({row.find_elements(By.TAG_NAME, "td")[-2].text
                                     for row in driver.find_elements(By.CSS_SELECTOR, "#candidates tbody tr")})
        per_dep = driver.find_element(By.ID, "f-perdep")
        per_dep.find_element(By.CSS_SELECTOR, "option[value='1']").click()
        seen["table_per_dep_1"] = table_codes(driver)
        per_dep.find_element(By.CSS_SELECTOR, "option[value='']").click()

        # Keyboard: focus the last row, Enter opens its card.
        rows = driver.find_elements(By.CSS_SELECTOR, "#candidates tbody tr")
        code = None
        if rows:
            last = rows[-1]
            driver.execute_script("arguments[0].focus()", last)
            last.send_keys(Keys.ENTER)
            code = last.get_attribute("data-code")
            WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(lambda d: f"({code})" in d.find_element(By.ID, "card-title").text)
            seen["keyboard_card"] = driver.find_element(By.ID, "card-title").text
            seen["keyboard_row_selected"] = last.get_attribute("aria-selected")

        # Editing the field status and note with the token.
        if args.token and rows:
            form = driver.find_element(By.CSS_SELECTOR, "#card form.field")
            note = form.find_element(By.NAME, "note")
            note.clear()
            note.send_keys(args.note)
            token = form.find_element(By.NAME, "token")
            token.clear()  # the page fills in the token given earlier in the session
            token.send_keys(args.token)
            form.find_element(By.CSS_SELECTOR, "select[name=status] option[value=contacted]").click()
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(lambda d: form.find_element(By.CSS_SELECTOR, "span[role=status]").text)
            seen["save_result"] = form.find_element(By.CSS_SELECTOR, "span[role=status]").text
            seen["edited_code"] = code

        # Filters: a département, a missing category.
        seen["filter_categories"] = [o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, "#f-cat option")]

        # English.
        driver.find_element(By.ID, "lang").click()
        WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
        WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#map svg[lang=en]"))
        seen["title_en"] = driver.find_element(By.TAG_NAME, "h1").text
        seen["legend_en"] = driver.find_element(By.CSS_SELECTOR, "#map [data-role=legend]").text
        shot(driver, "english")

        # A link to a commune (the Atom feed's): its card opens.
        driver.get(f"{args.base}/?{query}#commune={args.click}")
        wait_ready(driver)
        WebDriverWait(driver, 10, ignored_exceptions=[StaleElementReferenceException]).until(lambda d: d.find_elements(By.ID, "card-title"))
        seen["linked_card"] = driver.find_element(By.ID, "card-title").text

        time.sleep(0.5)
        seen["requests"] = requested_urls(driver)
        seen["foreign_requests"] = [u for u in seen["requests"]
                                    if urlparse(u).scheme not in ("data", "blob") and urlparse(u).hostname != "127.0.0.1"]
        seen["console_errors"] = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
    json.dump(seen, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
