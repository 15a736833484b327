#include "CurlShim.h"

CURLcode rm_curl_set_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
CURLcode rm_curl_set_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
CURLcode rm_curl_set_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
CURLcode rm_curl_set_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
CURLcode rm_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }

CURLcode rm_curl_set_write_callback(CURL *h, rm_curl_data_callback cb, void *ud) {
    CURLcode rc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb);
    return rc != CURLE_OK ? rc : curl_easy_setopt(h, CURLOPT_WRITEDATA, ud);
}
CURLcode rm_curl_set_header_callback(CURL *h, rm_curl_data_callback cb, void *ud) {
    CURLcode rc = curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb);
    return rc != CURLE_OK ? rc : curl_easy_setopt(h, CURLOPT_HEADERDATA, ud);
}
CURLcode rm_curl_set_progress_callback(CURL *h, rm_curl_xferinfo_callback cb, void *ud) {
    CURLcode rc = curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb);
    if (rc != CURLE_OK) return rc;
    rc = curl_easy_setopt(h, CURLOPT_XFERINFODATA, ud);
    return rc != CURLE_OK ? rc : curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
}

CURLcode rm_curl_get_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
CURLcode rm_curl_get_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
CURLcode rm_curl_get_string(CURL *h, CURLINFO i, const char **v) { return curl_easy_getinfo(h, i, v); }
